package review

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"perenos/store"
)

// Bounds of operator accounts, the same for perenos users add and the
// web UI.
const (
	MinPassword      = 10 // characters
	MaxPasswordBytes = 72 // bcrypt reads no further
	MaxUserName      = 64 // bytes
)

// ValidUserName reports whether name can name an operator account: 1 to
// MaxUserName bytes, without surrounding spaces.
func ValidUserName(name string) bool {
	return name != "" && strings.TrimSpace(name) == name && len(name) <= MaxUserName
}

// passwordProblem says in Russian what is wrong with a new password typed
// twice, or "".
func passwordProblem(pw, again string) string {
	switch {
	case pw != again:
		return "Пароли не совпадают: введите один и тот же пароль дважды."
	case utf8.RuneCountInString(pw) < MinPassword:
		return fmt.Sprintf("Пароль слишком короткий: нужно не меньше %s.", Count(MinPassword, "символа", "символов", "символов"))
	case len(pw) > MaxPasswordBytes:
		return fmt.Sprintf("Пароль слишком длинный: не больше %d байт (латинская буква — 1 байт, русская — 2).", MaxPasswordBytes)
	}
	return ""
}

type usersData struct {
	Users   []store.User
	Self    string
	Error   string
	NewName string // the add form's name, kept after an error
	Min     int
}

// usersPage lists the operator accounts and offers to add one, disable
// one and set a new password, as perenos users does.
func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	s.renderUsers(w, r, sess, http.StatusOK, "", "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, sess *store.Session, status int, msg, name string) {
	users, err := s.cfg.WS.Users()
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать учётные записи операторов.", err)
		return
	}
	s.render(w, status, "users", pageData{Title: "Операторы", Sess: sess, Flash: doneMessage(r),
		D: usersData{Users: users, Self: sess.User, Error: msg, NewName: name, Min: MinPassword}})
}

// addUser adds an operator account; an existing name is refused (its row
// sets a new password).
func (s *Server) addUser(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	name := r.PostFormValue("name")
	if !ValidUserName(name) {
		s.renderUsers(w, r, sess, http.StatusBadRequest, fmt.Sprintf("Имя: от 1 до %d символов, без пробелов в начале и в конце.", MaxUserName), name)
		return
	}
	if _, err := s.cfg.WS.User(name); err == nil {
		s.renderUsers(w, r, sess, http.StatusConflict, "Оператор с таким именем уже есть: задайте ему новый пароль в таблице.", name)
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать учётные записи операторов.", err)
		return
	}
	if !s.putPassword(w, r, sess, store.User{Name: name}, name) {
		return
	}
	http.Redirect(w, r, "/users?done="+doneUserAdded, http.StatusSeeOther)
}

// putPassword hashes the password typed twice into u and stores it; it
// answers and returns false if it could not.
func (s *Server) putPassword(w http.ResponseWriter, r *http.Request, sess *store.Session, u store.User, formName string) bool {
	pw := r.PostFormValue("password")
	if msg := passwordProblem(pw, r.PostFormValue("password2")); msg != "" {
		s.renderUsers(w, r, sess, http.StatusBadRequest, msg, formName)
		return false
	}
	hash, err := HashPassword(pw)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось сохранить пароль.", err)
		return false
	}
	u.Hash = hash
	if err := s.cfg.WS.PutUser(sess.Actor, u); err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось сохранить учётную запись.", err)
		return false
	}
	return true
}

// setPassword sets an account's new password, as perenos users add does
// for an existing name: every session of the account ends, and a disabled
// account is enabled again. An operator who sets their own logs in anew.
func (s *Server) setPassword(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	name := r.PostFormValue("name")
	if _, err := s.cfg.WS.User(name); err != nil {
		s.renderUsers(w, r, sess, http.StatusNotFound, "Такого оператора нет.", "")
		return
	}
	if !s.putPassword(w, r, sess, store.User{Name: name}, "") {
		return
	}
	if name == sess.User {
		http.Redirect(w, r, "/login?done="+donePasswordChanged, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/users?done="+donePasswordSet, http.StatusSeeOther)
}

// disableUser stops an account from logging in, as perenos users disable
// does: its sessions end at once. An operator cannot disable their own.
func (s *Server) disableUser(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	name := r.PostFormValue("name")
	if name == sess.User {
		s.renderUsers(w, r, sess, http.StatusConflict, "Свою учётную запись отключить нельзя: это может сделать другой оператор.", "")
		return
	}
	u, err := s.cfg.WS.User(name)
	if err != nil {
		s.renderUsers(w, r, sess, http.StatusNotFound, "Такого оператора нет.", "")
		return
	}
	if !u.Disabled {
		u.Disabled = true
		if err := s.cfg.WS.PutUser(sess.Actor, *u); err != nil {
			s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось отключить учётную запись.", err)
			return
		}
	}
	http.Redirect(w, r, "/users?done="+doneUserDisabled, http.StatusSeeOther)
}

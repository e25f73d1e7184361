package review

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"perenos/store"
)

// The two roles of the review server.
const (
	RoleOperator = "operator"
	RoleAdmin    = "admin"
)

const (
	sessionCookie = "perenos_session"
	preCookie     = "perenos_form" // CSRF token of forms shown before login
)

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is how secret tokens are kept: SHA-256 in hex. The tokens carry
// 256 random bits, so a fast hash suffices.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// HashPassword hashes an operator's password with bcrypt.
func HashPassword(pw string) ([]byte, error) {
	if utf8.RuneCountInString(pw) < MinPassword {
		return nil, fmt.Errorf("password too short: use at least %d characters", MinPassword)
	}
	if len(pw) > MaxPasswordBytes {
		return nil, fmt.Errorf("password too long: bcrypt uses at most %d bytes", MaxPasswordBytes)
	}
	return bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
}

// dummyHash is compared against when the user does not exist, so that a
// wrong name and a wrong password take the same time. It is made on first
// need, not when the program starts: every perenos command links this
// package, and a bcrypt hash costs tens of milliseconds.
var dummyHash = sync.OnceValue(func() []byte {
	dummyMade.Store(true)
	h, _ := bcrypt.GenerateFromPassword([]byte("no such user, no such password"), bcrypt.DefaultCost)
	return h
})

// dummyMade tells tests whether dummyHash has been computed.
var dummyMade atomic.Bool

// Invite issues an invitation to org's admin, valid for ttl, and returns
// the link to send (the token in it is shown only now).
func Invite(ws *store.Workspace, publicURL, org, actor string, ttl time.Duration) (link string, inv *store.Invitation, err error) {
	if ttl <= 0 {
		return "", nil, fmt.Errorf("invitation lifetime %s is not positive", ttl)
	}
	token := randomToken(32)
	now := ws.Now()
	if loc, err := ws.Location(); err == nil {
		now = now.In(loc) // the log says until when in the region's zone
	}
	inv = &store.Invitation{ID: randomToken(6), Org: org, TokenHash: TokenHash(token), Created: now, Expires: now.Add(ttl), CreatedBy: actor}
	if err := ws.PutInvitation(*inv); err != nil {
		return "", nil, fmt.Errorf("invite %s: %w", org, err)
	}
	return strings.TrimRight(publicURL, "/") + "/invite/" + token, inv, nil
}

// session returns the request's live session, or nil. Every request
// checks the session against its account in the ledger, so disabling an
// operator, a new password or a revoked invitation ends it at once.
func (s *Server) session(r *http.Request) *store.Session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return nil
	}
	sess, err := s.cfg.WS.LiveSession(TokenHash(c.Value), s.cfg.Now())
	if err != nil {
		if !errors.Is(err, store.ErrSessionEnded) {
			s.cfg.Log.Error("read session", "err", err)
		}
		return nil
	}
	return sess
}

// newSession completes sess with its secrets and times and returns the
// cookie token that opens it. An operator's session lasts SessionTTL; an
// admin's lasts until its invitation expires.
func (s *Server) newSession(sess store.Session) (store.Session, string) {
	token := randomToken(32)
	now := s.cfg.Now()
	sess.TokenHash, sess.CSRF, sess.Created = TokenHash(token), randomToken(24), now
	if sess.Expires.IsZero() {
		sess.Expires = now.Add(s.cfg.SessionTTL)
	}
	return sess, token
}

// setSession sets the cookie of a stored session.
func (s *Server) setSession(w http.ResponseWriter, sess store.Session, token string) {
	http.SetCookie(w, s.cookie(sessionCookie, token, int(sess.Expires.Sub(s.cfg.Now()).Seconds())))
	http.SetCookie(w, s.cookie(preCookie, "", -1))
}

// startSession stores a new session and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, sess store.Session) error {
	sess, token := s.newSession(sess)
	if err := s.cfg.WS.PutSession(sess); err != nil {
		return err
	}
	s.setSession(w, sess, token)
	return nil
}

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode}
}

// checkCSRF compares the form's token with the session's.
func (s *Server) checkCSRF(r *http.Request, sess *store.Session) bool {
	got := r.PostFormValue("csrf")
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(s.cfg.MaxUpload); err == nil {
			got = r.FormValue("csrf")
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// preToken returns the CSRF token of a form shown before login, setting its cookie.
func (s *Server) preToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 20 && len(c.Value) <= 100 {
		return c.Value
	}
	tok := randomToken(24)
	http.SetCookie(w, s.cookie(preCookie, tok, 3600))
	return tok
}

func checkPreToken(r *http.Request) bool {
	c, err := r.Cookie(preCookie)
	got := r.PostFormValue("csrf")
	return err == nil && got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) == 1
}

// clientIP is the address a request came from: the peer, or the address
// the trusted reverse proxy appended to X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.BehindProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type loginData struct {
	CSRF  string
	Name  string
	Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "login", pageData{Title: "Вход", Flash: doneMessage(r), D: loginData{CSRF: s.preToken(w, r)}})
}

// deviceCookie marks a browser that has logged in to an account before:
// such a browser is limited on its own, so that strangers' failed attempts
// slow down guessing without locking the operator out.
const deviceCookie = "perenos_device"

// deviceMark is the device cookie's value for an account: a MAC of the
// account's name and generation (a new password forgets every browser).
func (s *Server) deviceMark(u *store.User) string {
	m := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(m, "device\x00%s\x00%d", u.Name, u.Generation)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) knownBrowser(r *http.Request, u *store.User) (string, bool) {
	c, err := r.Cookie(deviceCookie)
	if err != nil || len(c.Value) > 100 {
		return "", false
	}
	return c.Value, hmac.Equal([]byte(c.Value), []byte(s.deviceMark(u)))
}

// loginChecks are the buckets a login attempt for name from addr must pass.
// A browser that logged in to the account before passes its own bucket
// only. Any other attempt passes the bucket of its address, of the account
// from that address, and, for an account that exists, of the account from
// every browser it does not know: one address cannot lock the account, many
// addresses only slow down strangers, and a flood of made-up names creates
// no account buckets.
func (s *Server) loginChecks(r *http.Request, name string, u *store.User) []check {
	key := name
	if len(key) > 128 {
		key = key[:128]
	}
	if u != nil {
		if mark, ok := s.knownBrowser(r, u); ok {
			return []check{{s.limits.device, key + "\x00" + mark}}
		}
	}
	addr := addrKey(s.clientIP(r))
	checks := []check{{s.limits.addr, addr}, {s.limits.pair, key + "\x00" + addr}}
	if u != nil {
		checks = append(checks, check{s.limits.account, key})
	}
	return checks
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !checkPreToken(r) {
		s.fail(w, r, nil, http.StatusForbidden, "Форма устарела. Обновите страницу входа и повторите.", nil)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	u, err := s.cfg.WS.User(name)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.cfg.Log.Error("read operator account", "err", err)
		}
		u = nil
	}
	if wait := s.guard.take(s.loginChecks(r, name, u)...); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		s.render(w, http.StatusTooManyRequests, "login", pageData{Title: "Вход", D: loginData{CSRF: s.preToken(w, r), Name: name,
			Error: fmt.Sprintf("Слишком много попыток входа. Повторите через %d с.", secs)}})
		return
	}
	var hash []byte
	if u != nil && !u.Disabled {
		hash = u.Hash
	} else {
		hash = dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) != nil || u == nil || u.Disabled {
		s.cfg.Log.Warn("failed operator login", "user", name, "ip", s.clientIP(r))
		s.render(w, http.StatusUnauthorized, "login", pageData{Title: "Вход", D: loginData{CSRF: s.preToken(w, r), Name: name, Error: "Неверное имя или пароль."}})
		return
	}
	if err := s.startSession(w, store.Session{Actor: "operator:" + u.Name, Role: RoleOperator, User: u.Name, Generation: u.Generation}); err != nil {
		s.fail(w, r, nil, http.StatusInternalServerError, "Не удалось начать сеанс.", err)
		return
	}
	http.SetCookie(w, s.cookie(deviceCookie, s.deviceMark(u), 365*24*3600))
	http.Redirect(w, r, "/sites", http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess := s.session(r)
	if sess == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	if !s.checkCSRF(r, sess) {
		s.fail(w, r, sess, http.StatusForbidden, "Форма устарела. Обновите страницу и повторите.", nil)
		return
	}
	_ = s.cfg.WS.DeleteSession(sess.TokenHash)
	http.SetCookie(w, s.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type inviteData struct {
	CSRF  string
	Token string
	Org   *store.Org
}

// usedData is the page shown for an invitation link that was used before.
type usedData struct {
	Used, Expires time.Time
	Site          string
}

// invitation checks a token and returns its invitation, or a message for
// the visitor. A used invitation is returned with its message.
func (s *Server) invitation(r *http.Request, token string) (*store.Invitation, string) {
	if wait := s.guard.take(check{s.limits.invite, addrKey(s.clientIP(r))}); wait > 0 {
		return nil, "Слишком много попыток. Повторите позже."
	}
	if token == "" || len(token) > 100 {
		return nil, "Ссылка-приглашение недействительна."
	}
	inv, err := s.cfg.WS.InvitationByToken(TokenHash(token))
	if err != nil {
		return nil, "Ссылка-приглашение недействительна."
	}
	if err := inv.Usable(s.cfg.Now()); err != nil {
		if inv.Revoked.IsZero() {
			return nil, "Срок действия приглашения истёк. Попросите оператора выслать новое."
		}
		return nil, "Приглашение отозвано. Попросите оператора выслать новое."
	}
	return inv, ""
}

// used answers a visit of an invitation link that was already exchanged for
// a session: the browser that holds that session goes on to its site, any
// other is told plainly what happened and what to do.
func (s *Server) used(w http.ResponseWriter, r *http.Request, inv *store.Invitation) {
	if sess := s.session(r); sess != nil && sess.Invitation == inv.ID {
		http.Redirect(w, r, "/site/"+url.PathEscape(inv.Org), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusGone, "used", pageData{Title: "Ссылка уже использована", D: usedData{Used: inv.Used, Expires: inv.Expires, Site: s.cfg.PublicURL}})
}

func (s *Server) inviteForm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, msg := s.invitation(r, token)
	if inv == nil {
		s.fail(w, r, nil, http.StatusForbidden, msg, nil)
		return
	}
	if !inv.Used.IsZero() {
		s.used(w, r, inv)
		return
	}
	org, err := s.cfg.WS.Org(inv.Org)
	if err != nil {
		s.fail(w, r, nil, http.StatusForbidden, "Ссылка-приглашение недействительна.", err)
		return
	}
	s.render(w, http.StatusOK, "invite", pageData{Title: "Приглашение", D: inviteData{CSRF: s.preToken(w, r), Token: token, Org: org}})
}

// acceptInvite exchanges an invitation link for a session, once: the
// link is marked used in the same transaction that stores the session.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !checkPreToken(r) {
		s.fail(w, r, nil, http.StatusForbidden, "Форма устарела. Откройте ссылку-приглашение ещё раз.", nil)
		return
	}
	token := r.PostFormValue("token")
	inv, msg := s.invitation(r, token)
	if inv == nil {
		s.fail(w, r, nil, http.StatusForbidden, msg, nil)
		return
	}
	if !inv.Used.IsZero() {
		s.used(w, r, inv)
		return
	}
	sess, cookie := s.newSession(store.Session{Actor: "admin:" + inv.Org + " (приглашение " + inv.ID + ")", Role: RoleAdmin, Org: inv.Org, Invitation: inv.ID, Expires: inv.Expires})
	got, err := s.cfg.WS.UseInvitation(TokenHash(token), sess, s.cfg.Now())
	switch {
	case errors.Is(err, store.ErrInvitationUsed):
		s.used(w, r, got)
		return
	case err != nil:
		s.fail(w, r, nil, http.StatusInternalServerError, "Не удалось начать сеанс.", err)
		return
	}
	s.setSession(w, sess, cookie)
	http.Redirect(w, r, "/site/"+url.PathEscape(inv.Org), http.StatusSeeOther)
}

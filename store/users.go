package store

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The review server's access records live in one top-level bucket with a
// sub-bucket per record type. They are created on first write, so opening
// an older workspace needs no migration.
var (
	bAuth        = []byte("auth")
	bUsers       = []byte("users")
	bInvitations = []byte("invitations")
	bSessions    = []byte("sessions")
	bSecrets     = []byte("secrets")
)

// ErrSessionEnded is returned for a session that exists no longer, expired,
// or was ended by a change to its account; the error says which.
var ErrSessionEnded = errors.New("session ended")

// ErrInvitationUsed is returned when an invitation that was already
// exchanged for a session is presented again.
var ErrInvitationUsed = errors.New("invitation already used")

// UsersLog is the pseudo-organisation under which changes to operator
// accounts are logged.
const UsersLog = "_operators"

// User is an operator account of the review server.
type User struct {
	Name     string    `json:"name"`
	Hash     []byte    `json:"hash"` // password hash (bcrypt), never the password
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	Disabled bool      `json:"disabled,omitempty"`
	// Generation counts the changes that ended the account's sessions (a
	// new password, disabling); a session of an older generation is dead.
	Generation uint64 `json:"generation,omitempty"`
}

// Invitation lets an organisation's admin in to review that organisation's
// site. Only a hash of its secret token is kept.
type Invitation struct {
	ID        string    `json:"id"`         // public identifier, for listing and revoking
	Org       string    `json:"org"`        // the one organisation it opens
	TokenHash string    `json:"token_hash"` // SHA-256 of the secret token, hex
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
	Revoked   time.Time `json:"revoked,omitzero"`
	CreatedBy string    `json:"created_by"`
	// Used is when the link was exchanged for a session: an invitation
	// opens one browser, once.
	Used time.Time `json:"used,omitzero"`
}

// Usable reports whether the invitation may still be used at now, and why not.
func (inv *Invitation) Usable(now time.Time) error {
	switch {
	case !inv.Revoked.IsZero():
		return fmt.Errorf("invitation %s was revoked at %s", inv.ID, inv.Revoked.Format(time.RFC3339))
	case !now.Before(inv.Expires):
		return fmt.Errorf("invitation %s expired at %s", inv.ID, inv.Expires.Format(time.RFC3339))
	}
	return nil
}

// Session is a logged-in browser: an operator, or an organisation's admin
// confined to Org. Only a hash of its cookie token is kept.
type Session struct {
	TokenHash  string `json:"token_hash"`
	Actor      string `json:"actor"` // as written to the event log
	Role       string `json:"role"`  // "operator" or "admin"
	Org        string `json:"org,omitempty"`
	CSRF       string `json:"csrf"`
	Invitation string `json:"invitation,omitempty"` // the invitation it came from
	// InvitationKey is that invitation's token hash, its key in the ledger,
	// so that each request finds it without a scan.
	InvitationKey string `json:"invitation_key,omitempty"`
	// User and Generation tie an operator's session to the account state
	// it was opened under (see User.Generation).
	User       string    `json:"user,omitempty"`
	Generation uint64    `json:"generation,omitempty"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
}

func authBucket(tx *bolt.Tx, name []byte) (*bolt.Bucket, error) {
	if tx.Writable() {
		top, err := tx.CreateBucketIfNotExists(bAuth)
		if err != nil {
			return nil, err
		}
		return top.CreateBucketIfNotExists(name)
	}
	top := tx.Bucket(bAuth)
	if top == nil {
		return nil, nil
	}
	return top.Bucket(name), nil
}

func getAuth(w *Workspace, bucket []byte, what, key string, v any) error {
	return w.db.View(func(tx *bolt.Tx) error {
		b, _ := authBucket(tx, bucket)
		var data []byte
		if b != nil {
			data = b.Get([]byte(key))
		}
		if data == nil {
			return fmt.Errorf("%s %s: %w", what, key, ErrNotFound)
		}
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("decode %s %s: %w", what, key, err)
		}
		return nil
	})
}

func putAuth(w *Workspace, bucket []byte, key string, v any) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bucket)
		if err != nil {
			return err
		}
		return putJSON(b, key, v)
	})
}

// PutUser creates or replaces an operator account and logs it (without the
// hash). A new password or disabling the account ends every session of the
// account in the same transaction, and raises its generation so that no
// session opened before can pass LiveSession.
func (w *Workspace) PutUser(actor string, u User) error {
	if strings.TrimSpace(u.Name) == "" {
		return fmt.Errorf("user name is empty")
	}
	now := w.now()
	return w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bUsers)
		if err != nil {
			return err
		}
		what := "operator account created"
		end := false
		if old := b.Get([]byte(u.Name)); old != nil {
			var prev User
			if err := json.Unmarshal(old, &prev); err != nil {
				return fmt.Errorf("decode user %s: %w", u.Name, err)
			}
			u.Created, u.Generation = prev.Created, prev.Generation
			what = "operator account updated"
			switch {
			case u.Disabled && !prev.Disabled:
				what, end = "operator account disabled", true
			case !bytes.Equal(u.Hash, prev.Hash):
				what, end = "operator password changed", true
			}
		}
		if u.Created.IsZero() {
			u.Created = now
		}
		u.Updated = now
		if end {
			u.Generation++
			n, err := deleteSessions(tx, func(s *Session) bool { return s.Role == "operator" && s.User == u.Name })
			if err != nil {
				return err
			}
			what += fmt.Sprintf(", sessions ended: %d", n)
		}
		if err := putJSON(b, u.Name, u); err != nil {
			return err
		}
		return appendEvent(tx, Event{Time: now, Actor: actor, Org: UsersLog, Kind: EventEdit, Reason: what + ": " + u.Name})
	})
}

// deleteSessions deletes the sessions for which dead is true and returns how many.
func deleteSessions(tx *bolt.Tx, dead func(*Session) bool) (int, error) {
	sb, err := authBucket(tx, bSessions)
	if err != nil {
		return 0, err
	}
	var keys [][]byte
	err = sb.ForEach(func(k, v []byte) error {
		var s Session
		if json.Unmarshal(v, &s) != nil || dead(&s) {
			keys = append(keys, slices.Clone(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		if err := sb.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// User loads an operator account; ErrNotFound if there is none.
func (w *Workspace) User(name string) (*User, error) {
	var u User
	if err := getAuth(w, bUsers, "user", name, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Users lists the operator accounts in name order.
func (w *Workspace) Users() ([]User, error) {
	var out []User
	err := w.db.View(func(tx *bolt.Tx) error {
		b, _ := authBucket(tx, bUsers)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var u User
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("decode user %s: %w", k, err)
			}
			out = append(out, u)
			return nil
		})
	})
	return out, err
}

// PutInvitation stores a new invitation and logs it against its organisation.
func (w *Workspace) PutInvitation(inv Invitation) error {
	if inv.TokenHash == "" || inv.ID == "" || inv.Org == "" {
		return fmt.Errorf("invitation needs an ID, an organisation and a token hash")
	}
	return w.db.Update(func(tx *bolt.Tx) error {
		if _, err := loadOrg(tx, inv.Org); err != nil {
			return err
		}
		b, err := authBucket(tx, bInvitations)
		if err != nil {
			return err
		}
		if err := putJSON(b, inv.TokenHash, inv); err != nil {
			return err
		}
		return appendEvent(tx, Event{Time: inv.Created, Actor: inv.CreatedBy, Org: inv.Org, Kind: EventEdit,
			Reason: fmt.Sprintf("приглашение %s выдано, действует до %s", inv.ID, inv.Expires.Format("02.01.2006 15:04 MST"))})
	})
}

// InvitationByToken loads the invitation whose token hashes to tokenHash.
func (w *Workspace) InvitationByToken(tokenHash string) (*Invitation, error) {
	var inv Invitation
	if err := getAuth(w, bInvitations, "invitation", tokenHash, &inv); err != nil {
		return nil, fmt.Errorf("unknown invitation: %w", ErrNotFound)
	}
	return &inv, nil
}

// Invitations lists the invitations of org ("" for all), newest first.
func (w *Workspace) Invitations(org string) ([]Invitation, error) {
	var out []Invitation
	err := w.db.View(func(tx *bolt.Tx) error {
		b, _ := authBucket(tx, bInvitations)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var inv Invitation
			if err := json.Unmarshal(v, &inv); err != nil {
				return fmt.Errorf("decode invitation: %w", err)
			}
			if org == "" || inv.Org == org {
				out = append(out, inv)
			}
			return nil
		})
	})
	slices.SortFunc(out, func(a, b Invitation) int { return b.Created.Compare(a.Created) })
	return out, err
}

// RevokeInvitations revokes the invitation with the given ID, or every
// unrevoked invitation of an organisation when id is empty, and ends the
// sessions opened through them. It returns how many it revoked.
func (w *Workspace) RevokeInvitations(actor, org, id string) (int, error) {
	n := 0
	now := w.now()
	err := w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bInvitations)
		if err != nil {
			return err
		}
		revoked := map[string]bool{}
		var evs []Event
		err = b.ForEach(func(k, v []byte) error {
			var inv Invitation
			if err := json.Unmarshal(v, &inv); err != nil {
				return fmt.Errorf("decode invitation: %w", err)
			}
			if (id != "" && inv.ID != id) || (org != "" && inv.Org != org) || !inv.Revoked.IsZero() {
				return nil
			}
			inv.Revoked = now
			revoked[inv.ID] = true
			n++
			evs = append(evs, Event{Time: now, Actor: actor, Org: inv.Org, Kind: EventEdit, Reason: "приглашение " + inv.ID + " отозвано, его сеансы завершены"})
			data, err := json.Marshal(inv)
			if err != nil {
				return err
			}
			return b.Put(k, data)
		})
		if err != nil {
			return err
		}
		if _, err := deleteSessions(tx, func(s *Session) bool { return s.Invitation != "" && revoked[s.Invitation] }); err != nil {
			return err
		}
		for _, ev := range evs {
			if err := appendEvent(tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// PutSession stores a session.
func (w *Workspace) PutSession(s Session) error {
	return putAuth(w, bSessions, s.TokenHash, s)
}

// Session loads the session whose cookie token hashes to tokenHash.
func (w *Workspace) Session(tokenHash string) (*Session, error) {
	var s Session
	if err := getAuth(w, bSessions, "session", tokenHash, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSession ends a session; ending one that does not exist is not an error.
func (w *Workspace) DeleteSession(tokenHash string) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bSessions)
		if err != nil {
			return err
		}
		return b.Delete([]byte(tokenHash))
	})
}

// PruneSessions deletes sessions that expired before now and returns how many.
func (w *Workspace) PruneSessions(now time.Time) (int, error) {
	n := 0
	err := w.db.Update(func(tx *bolt.Tx) (err error) {
		n, err = deleteSessions(tx, func(s *Session) bool { return !now.Before(s.Expires) })
		return err
	})
	return n, err
}

// LiveSession loads the session whose cookie token hashes to tokenHash and
// checks it, in one read, against what it stands on at now: its expiry, its
// operator account (present, enabled, of the same generation) or its
// invitation (not revoked, not expired). A dead session is ErrSessionEnded,
// wrapped with the reason.
func (w *Workspace) LiveSession(tokenHash string, now time.Time) (*Session, error) {
	var s Session
	err := w.db.View(func(tx *bolt.Tx) error {
		b, _ := authBucket(tx, bSessions)
		var data []byte
		if b != nil {
			data = b.Get([]byte(tokenHash))
		}
		if data == nil {
			return fmt.Errorf("no such session: %w", ErrSessionEnded)
		}
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("decode session: %w", err)
		}
		if !now.Before(s.Expires) {
			return fmt.Errorf("session expired at %s: %w", s.Expires.Format(time.RFC3339), ErrSessionEnded)
		}
		switch s.Role {
		case "operator":
			ub, _ := authBucket(tx, bUsers)
			var u User
			if ub == nil || s.User == "" || json.Unmarshal(ub.Get([]byte(s.User)), &u) != nil {
				return fmt.Errorf("session of unknown operator %q: %w", s.User, ErrSessionEnded)
			}
			if u.Disabled {
				return fmt.Errorf("operator %s is disabled: %w", u.Name, ErrSessionEnded)
			}
			if u.Generation != s.Generation {
				return fmt.Errorf("operator %s changed password or was disabled since: %w", u.Name, ErrSessionEnded)
			}
		case "admin":
			inv, err := invitationOf(tx, &s)
			if err != nil {
				return fmt.Errorf("session of unknown invitation %q: %w", s.Invitation, ErrSessionEnded)
			}
			if inv.Org != s.Org {
				return fmt.Errorf("invitation %s is of organisation %s, not %s: %w", inv.ID, inv.Org, s.Org, ErrSessionEnded)
			}
			if err := inv.Usable(now); err != nil {
				return fmt.Errorf("%v: %w", err, ErrSessionEnded)
			}
		default:
			return fmt.Errorf("session of unknown role %q: %w", s.Role, ErrSessionEnded)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// invitationOf loads the invitation a session came from: by its key, or,
// for a session stored before sessions kept the key, by its ID.
func invitationOf(tx *bolt.Tx, s *Session) (*Invitation, error) {
	b, _ := authBucket(tx, bInvitations)
	if b == nil || s.Invitation == "" {
		return nil, ErrNotFound
	}
	if s.InvitationKey != "" {
		var inv Invitation
		if data := b.Get([]byte(s.InvitationKey)); data != nil && json.Unmarshal(data, &inv) == nil && inv.ID == s.Invitation {
			return &inv, nil
		}
		return nil, ErrNotFound
	}
	id := s.Invitation
	var found *Invitation
	err := b.ForEach(func(k, v []byte) error {
		var inv Invitation
		if json.Unmarshal(v, &inv) == nil && inv.ID == id {
			found = &inv
		}
		return nil
	})
	if err == nil && found == nil {
		err = ErrNotFound
	}
	return found, err
}

// UseInvitation exchanges an invitation for a session, once: in one
// transaction it checks that the invitation whose token hashes to tokenHash
// is usable at now and unused, marks it used, stores sess (which must come
// from that invitation) and logs the entry. A second exchange of the same
// invitation is ErrInvitationUsed, with the invitation returned so that the
// caller can say when it was used.
func (w *Workspace) UseInvitation(tokenHash string, sess Session, now time.Time) (*Invitation, error) {
	var inv Invitation
	err := w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bInvitations)
		if err != nil {
			return err
		}
		data := b.Get([]byte(tokenHash))
		if data == nil {
			return fmt.Errorf("unknown invitation: %w", ErrNotFound)
		}
		if err := json.Unmarshal(data, &inv); err != nil {
			return fmt.Errorf("decode invitation: %w", err)
		}
		if err := inv.Usable(now); err != nil {
			return err
		}
		if !inv.Used.IsZero() {
			return fmt.Errorf("invitation %s was used at %s: %w", inv.ID, inv.Used.Format(time.RFC3339), ErrInvitationUsed)
		}
		if sess.Invitation != inv.ID || sess.Org != inv.Org || sess.TokenHash == "" {
			return fmt.Errorf("session does not belong to invitation %s", inv.ID)
		}
		inv.Used = now
		sess.InvitationKey = tokenHash
		if err := putJSON(b, tokenHash, inv); err != nil {
			return err
		}
		sb, err := authBucket(tx, bSessions)
		if err != nil {
			return err
		}
		if err := putJSON(sb, sess.TokenHash, sess); err != nil {
			return err
		}
		return appendEvent(tx, Event{Time: now, Actor: sess.Actor, Org: inv.Org, Kind: EventEdit,
			Reason: "вход по приглашению " + inv.ID + ": ссылка использована и больше не действует"})
	})
	if err != nil {
		return &inv, err
	}
	return &inv, nil
}

// AuthSecret returns the workspace's secret key for signing what the review
// server hands to browsers (32 random bytes, made on first use and kept in
// the ledger, so that it survives a restart).
func (w *Workspace) AuthSecret() ([]byte, error) {
	var key []byte
	err := w.db.View(func(tx *bolt.Tx) error {
		if b, _ := authBucket(tx, bSecrets); b != nil {
			key = slices.Clone(b.Get([]byte("browser")))
		}
		return nil
	})
	if err != nil || len(key) == 32 {
		return key, err
	}
	err = w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bSecrets)
		if err != nil {
			return err
		}
		if k := b.Get([]byte("browser")); len(k) == 32 { // made meanwhile
			key = slices.Clone(k)
			return nil
		}
		key = make([]byte, 32)
		_, _ = rand.Read(key) // crypto/rand.Read never fails
		return b.Put([]byte("browser"), key)
	})
	return key, err
}

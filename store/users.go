package store

import (
	"encoding/json"
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
)

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
	TokenHash  string    `json:"token_hash"`
	Actor      string    `json:"actor"` // as written to the event log
	Role       string    `json:"role"`  // "operator" or "admin"
	Org        string    `json:"org,omitempty"`
	CSRF       string    `json:"csrf"`
	Invitation string    `json:"invitation,omitempty"` // the invitation it came from
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

// PutUser creates or replaces an operator account and logs it (without the hash).
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
		if old := b.Get([]byte(u.Name)); old != nil {
			var prev User
			if err := json.Unmarshal(old, &prev); err == nil {
				u.Created = prev.Created
			}
			what = "operator account updated"
		}
		if u.Created.IsZero() {
			u.Created = now
		}
		u.Updated = now
		if err := putJSON(b, u.Name, u); err != nil {
			return err
		}
		return appendEvent(tx, Event{Time: now, Actor: actor, Org: UsersLog, Kind: EventEdit, Reason: what + ": " + u.Name})
	})
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
			Reason: fmt.Sprintf("invitation %s issued, valid until %s", inv.ID, inv.Expires.Format(time.RFC3339))})
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
			evs = append(evs, Event{Time: now, Actor: actor, Org: inv.Org, Kind: EventEdit, Reason: "invitation " + inv.ID + " revoked"})
			data, err := json.Marshal(inv)
			if err != nil {
				return err
			}
			return b.Put(k, data)
		})
		if err != nil {
			return err
		}
		sb, err := authBucket(tx, bSessions)
		if err != nil {
			return err
		}
		var dead [][]byte
		err = sb.ForEach(func(k, v []byte) error {
			var s Session
			if json.Unmarshal(v, &s) == nil && revoked[s.Invitation] {
				dead = append(dead, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := sb.Delete(k); err != nil {
				return err
			}
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
	err := w.db.Update(func(tx *bolt.Tx) error {
		b, err := authBucket(tx, bSessions)
		if err != nil {
			return err
		}
		var dead [][]byte
		err = b.ForEach(func(k, v []byte) error {
			var s Session
			if json.Unmarshal(v, &s) != nil || !now.Before(s.Expires) {
				dead = append(dead, slices.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(dead)
		return nil
	})
	return n, err
}

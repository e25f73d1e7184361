package store

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInvitationUsable(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		inv  Invitation
		want string // part of the error, "" when usable
	}{
		{"fresh", Invitation{ID: "a", Expires: now.Add(time.Hour)}, ""},
		{"expired", Invitation{ID: "b", Expires: now.Add(-time.Second)}, "expired"},
		{"expires now", Invitation{ID: "c", Expires: now}, "expired"},
		{"revoked", Invitation{ID: "d", Expires: now.Add(time.Hour), Revoked: now.Add(-time.Minute)}, "revoked"},
	} {
		err := tc.inv.Usable(now)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestAccessRecords(t *testing.T) {
	ws := TestStore(t)
	if _, err := ws.User("nobody"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing user on a fresh workspace: %v", err)
	}
	if err := ws.PutInvitation(Invitation{ID: "x", Org: "404", TokenHash: "h"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("invitation to an unknown organisation: %v", err)
	}
	if _, err := ws.UpsertOrg("test", Org{ID: "1", Name: "Школа", Type: School}); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutUser("test", User{Name: "оператор", Hash: []byte("hash")}); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutUser("test", User{Name: "оператор", Hash: []byte("hash2")}); err != nil {
		t.Fatal(err)
	}
	if us, err := ws.Users(); err != nil || len(us) != 1 || string(us[0].Hash) != "hash2" || us[0].Created.After(us[0].Updated) {
		t.Fatalf("users: %+v %v", us, err)
	}
	now := ws.Now()
	for _, inv := range []Invitation{
		{ID: "i1", Org: "1", TokenHash: "t1", Created: now, Expires: now.Add(time.Hour), CreatedBy: "test"},
		{ID: "i2", Org: "1", TokenHash: "t2", Created: now.Add(time.Second), Expires: now.Add(time.Hour), CreatedBy: "test"},
	} {
		if err := ws.PutInvitation(inv); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []Session{
		{TokenHash: "s1", Role: "admin", Org: "1", Invitation: "i1", Expires: now.Add(time.Hour)},
		{TokenHash: "s2", Role: "admin", Org: "1", Invitation: "i2", Expires: now.Add(time.Hour)},
		{TokenHash: "s3", Role: "operator", Expires: now.Add(-time.Minute)},
	} {
		if err := ws.PutSession(s); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := ws.RevokeInvitations("test", "", "i1"); err != nil || n != 1 {
		t.Fatalf("revoke one: %d %v", n, err)
	}
	if _, err := ws.Session("s1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the revoked invitation's session lives on: %v", err)
	}
	if _, err := ws.Session("s2"); err != nil {
		t.Errorf("another invitation's session ended: %v", err)
	}
	if inv, err := ws.InvitationByToken("t1"); err != nil || inv.Revoked.IsZero() {
		t.Errorf("revocation not kept: %+v %v", inv, err)
	}
	if n, _ := ws.RevokeInvitations("test", "1", ""); n != 1 {
		t.Errorf("revoke the rest of the organisation: %d, want 1", n)
	}
	if n, err := ws.PruneSessions(now); err != nil || n != 1 {
		t.Errorf("prune: %d %v", n, err)
	}
	evs, _ := ws.Events("1")
	var log []string
	for _, ev := range evs {
		log = append(log, ev.Reason)
	}
	if got := strings.Join(log, "\n"); !strings.Contains(got, "приглашение i1 выдано") || !strings.Contains(got, "приглашение i2 отозвано") {
		t.Errorf("event log:\n%s", got)
	}
	if evs, _ := ws.Events(UsersLog); len(evs) != 2 {
		t.Errorf("operator account changes logged: %d, want 2", len(evs))
	}
}

// TestAccountChangesEndSessions: a new password or disabling an account ends
// every session of that account at once, and a session kept from before
// (say, a copy of the ledger restored, or a cookie replayed after a restart)
// no longer passes LiveSession.
func TestAccountChangesEndSessions(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	now := ws.Now()
	for _, name := range []string{"анна", "борис"} {
		if err := ws.PutUser("test", User{Name: name, Hash: []byte("h-" + name)}); err != nil {
			t.Fatal(err)
		}
	}
	open := func(token, user string) Session {
		t.Helper()
		u, err := ws.User(user)
		if err != nil {
			t.Fatal(err)
		}
		s := Session{TokenHash: token, Role: "operator", User: user, Generation: u.Generation, Expires: now.Add(time.Hour)}
		if err := ws.PutSession(s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	open("a1", "анна")
	open("a2", "анна")
	open("b1", "борис")
	live := func(token string) error {
		_, err := ws.LiveSession(token, now)
		return err
	}
	for _, tok := range []string{"a1", "a2", "b1"} {
		if err := live(tok); err != nil {
			t.Fatalf("fresh session %s: %v", tok, err)
		}
	}

	// A new password ends both of Анна's sessions, not Борис's.
	u, _ := ws.User("анна")
	stale := Session{TokenHash: "a3", Role: "operator", User: "анна", Generation: u.Generation, Expires: now.Add(time.Hour)}
	if err := ws.PutUser("test", User{Name: "анна", Hash: []byte("новый пароль")}); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"a1", "a2"} {
		if err := live(tok); !errors.Is(err, ErrSessionEnded) {
			t.Errorf("session %s after a password change: %v", tok, err)
		}
	}
	if err := live("b1"); err != nil {
		t.Errorf("another account's session ended: %v", err)
	}
	// A session record from before the change, written back, is dead too.
	if err := ws.PutSession(stale); err != nil {
		t.Fatal(err)
	}
	if err := live("a3"); !errors.Is(err, ErrSessionEnded) || !strings.Contains(err.Error(), "changed password or was disabled") {
		t.Errorf("a session of the old generation: %v", err)
	}
	// Saving the account unchanged ends nothing.
	open("a4", "анна")
	u, _ = ws.User("анна")
	if err := ws.PutUser("test", *u); err != nil {
		t.Fatal(err)
	}
	if err := live("a4"); err != nil {
		t.Errorf("an unchanged account ended its session: %v", err)
	}

	// Disabling ends the sessions; after a restart they stay dead.
	u, _ = ws.User("борис")
	u.Disabled = true
	if err := ws.PutUser("test", *u); err != nil {
		t.Fatal(err)
	}
	if err := ws.Close(); err != nil {
		t.Fatal(err)
	}
	ws, err = Open(t.Context(), dir, Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if _, err := ws.LiveSession("b1", now); !errors.Is(err, ErrSessionEnded) {
		t.Errorf("a disabled operator's session after a restart: %v", err)
	}
	if err := ws.PutSession(Session{TokenHash: "b2", Role: "operator", User: "борис", Generation: 2, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.LiveSession("b2", now); !errors.Is(err, ErrSessionEnded) || !strings.Contains(err.Error(), "disabled") {
		t.Errorf("a session of a disabled operator: %v", err)
	}
	evs, _ := ws.Events(UsersLog)
	var log []string
	for _, ev := range evs {
		log = append(log, ev.Reason)
	}
	for _, want := range []string{"operator password changed, sessions ended: 2: анна", "operator account disabled, sessions ended: 1: борис"} {
		if !slices.Contains(log, want) {
			t.Errorf("operator log lacks %q:\n%s", want, strings.Join(log, "\n"))
		}
	}
}

func TestLiveSessionChecks(t *testing.T) {
	ws := TestStore(t)
	now := ws.Now()
	if _, err := ws.UpsertOrg("test", Org{ID: "1", Name: "Школа", Type: School}); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutUser("test", User{Name: "оп", Hash: []byte("h")}); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutInvitation(Invitation{ID: "i1", Org: "1", TokenHash: "t1", Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    Session
		want string // part of the error, "" when live
	}{
		{"operator", Session{Role: "operator", User: "оп", Expires: now.Add(time.Minute)}, ""},
		{"admin", Session{Role: "admin", Org: "1", Invitation: "i1", Expires: now.Add(time.Minute)}, ""},
		{"expired", Session{Role: "operator", User: "оп", Expires: now}, "expired"},
		{"no user", Session{Role: "operator", Expires: now.Add(time.Minute)}, "unknown operator"},
		{"deleted user", Session{Role: "operator", User: "нет", Expires: now.Add(time.Minute)}, "unknown operator"},
		{"newer generation", Session{Role: "operator", User: "оп", Generation: 1, Expires: now.Add(time.Minute)}, "changed password"},
		{"unknown invitation", Session{Role: "admin", Org: "1", Invitation: "i9", Expires: now.Add(time.Minute)}, "unknown invitation"},
		{"admin by key", Session{Role: "admin", Org: "1", Invitation: "i1", InvitationKey: "t1", Expires: now.Add(time.Minute)}, ""},
		{"key of another invitation", Session{Role: "admin", Org: "1", Invitation: "i1", InvitationKey: "t9", Expires: now.Add(time.Minute)}, "unknown invitation"},
		{"other organisation", Session{Role: "admin", Org: "2", Invitation: "i1", Expires: now.Add(time.Minute)}, "not 2"},
		{"no role", Session{Expires: now.Add(time.Minute)}, "unknown role"},
	} {
		tc.s.TokenHash = "s-" + tc.name
		if err := ws.PutSession(tc.s); err != nil {
			t.Fatal(err)
		}
		_, err := ws.LiveSession(tc.s.TokenHash, now)
		if (err == nil) != (tc.want == "") || err != nil && (!strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrSessionEnded)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := ws.LiveSession("nothing", now); !errors.Is(err, ErrSessionEnded) {
		t.Errorf("unknown token: %v", err)
	}
}

func TestUseInvitationOnce(t *testing.T) {
	ws := TestStore(t)
	now := ws.Now()
	if _, err := ws.UpsertOrg("test", Org{ID: "1", Name: "Школа", Type: School}); err != nil {
		t.Fatal(err)
	}
	if err := ws.PutInvitation(Invitation{ID: "i1", Org: "1", TokenHash: "t1", Created: now, Expires: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	sess := func(tok string) Session {
		return Session{TokenHash: tok, Role: "admin", Org: "1", Invitation: "i1", Expires: now.Add(time.Hour)}
	}
	if _, err := ws.UseInvitation("t1", Session{TokenHash: "x", Role: "admin", Org: "2", Invitation: "i1"}, now); err == nil {
		t.Fatal("a session of another organisation was accepted for the invitation")
	}
	if _, err := ws.UseInvitation("t1", sess("s1"), now); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.LiveSession("s1", now); err != nil {
		t.Fatalf("the session the invitation was exchanged for: %v", err)
	}
	inv, err := ws.UseInvitation("t1", sess("s2"), now.Add(time.Minute))
	if !errors.Is(err, ErrInvitationUsed) || !inv.Used.Equal(now) {
		t.Fatalf("second use: %v, used %v", err, inv.Used)
	}
	if _, err := ws.Session("s2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a second use stored a session: %v", err)
	}
	if _, err := ws.UseInvitation("nope", sess("s3"), now); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown invitation: %v", err)
	}
	// Revoking ends the session it opened.
	if _, err := ws.RevokeInvitations("test", "1", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.LiveSession("s1", now); !errors.Is(err, ErrSessionEnded) {
		t.Errorf("session of a revoked invitation: %v", err)
	}
}

func TestAuthSecretIsKept(t *testing.T) {
	ws := TestStore(t)
	a, err := ws.AuthSecret()
	if err != nil || len(a) != 32 {
		t.Fatalf("secret: %d bytes, %v", len(a), err)
	}
	b, err := ws.AuthSecret()
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("the secret changed between calls: %v", err)
	}
}

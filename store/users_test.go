package store

import (
	"errors"
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
	if got := strings.Join(log, "\n"); !strings.Contains(got, "invitation i1 issued") || !strings.Contains(got, "invitation i2 revoked") {
		t.Errorf("event log:\n%s", got)
	}
	if evs, _ := ws.Events(UsersLog); len(evs) != 2 {
		t.Errorf("operator account changes logged: %d, want 2", len(evs))
	}
}

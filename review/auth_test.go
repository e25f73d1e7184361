package review_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"perenos/review"
	"perenos/store"
)

// TestAccountChangesEndSessionsAtOnce: an operator's cookie stops working as
// soon as the account is disabled or its password changes, in this server
// and in one started afterwards over the same workspace; so does an admin's
// when the invitation is revoked.
func TestAccountChangesEndSessionsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	second := "второй-оператор"
	hash, _ := review.HashPassword(opPass)
	if err := f.ws.PutUser("test", store.User{Name: second, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	disabled, changed := newClient(t), newClient(t)
	if code := disabled.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if code := changed.login(f.url, second, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	tok := disabled.csrf(f.url + "/sites")
	changed.csrf(f.url + "/sites")

	// `perenos users disable` and `perenos users add NAME` (a new password)
	// do exactly this.
	u, _ := f.ws.User(opName)
	u.Disabled = true
	if err := f.ws.PutUser("operator:cli", *u); err != nil {
		t.Fatal(err)
	}
	newHash, _ := review.HashPassword("другой-пароль-2026")
	if err := f.ws.PutUser("operator:cli", store.User{Name: second, Hash: newHash}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*client{"disabled": disabled, "new password": changed} {
		if code, _ := c.get(f.url + "/sites"); code != http.StatusSeeOther {
			t.Errorf("%s: the old cookie still opens /sites: %d", name, code)
		}
	}
	if code, _, _ := disabled.post(f.url+"/jobs", url.Values{"csrf": {tok}, "stage": {"map"}, "org": {hostileID}}); code != http.StatusUnauthorized {
		t.Errorf("the disabled operator's cookie still starts a job: %d", code)
	}
	if code := newClient(t).login(f.url, opName, opPass); code != http.StatusUnauthorized {
		t.Errorf("a disabled operator logs in: %d", code)
	}

	// The admin's session ends with its invitation.
	link, inv := f.invite(t, schoolID, time.Hour)
	admin := newClient(t)
	if code, _ := admin.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	if code, _ := admin.get(f.url + "/site/" + schoolID); code != http.StatusOK {
		t.Fatalf("the admin's own site: %d", code)
	}
	if _, err := f.ws.RevokeInvitations("operator:cli", "", inv.ID); err != nil {
		t.Fatal(err)
	}

	// A server started afterwards over the same ledger refuses every old cookie.
	restarted, err := review.NewServer(context.Background(), review.Config{WS: f.ws, Backend: f.src, PublicURL: f.url, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(restarted)
	defer hs.Close()
	base, _ := url.Parse(f.url)
	for name, c := range map[string]*client{"disabled": disabled, "new password": changed, "revoked": admin} {
		again, _ := url.Parse(hs.URL)
		c.hc.Jar.SetCookies(again, c.hc.Jar.Cookies(base))
		for _, path := range []string{"/sites", "/site/" + schoolID} {
			if code, _ := c.get(hs.URL + path); code != http.StatusSeeOther {
				t.Errorf("%s, after a restart: GET %s answered %d, want a redirect to the login", name, path, code)
			}
		}
	}
}

// TestNoBcryptUntilAFailedLogin: linking the review package, constructing
// its server and a successful login compute no bcrypt hash; the stand-in
// hash for unknown names is made at the first login with one. Run in a
// fresh process, where nothing else has touched the package.
func TestNoBcryptUntilAFailedLogin(t *testing.T) {
	if os.Getenv("PERENOS_TEST_FRESH_PROCESS") != "1" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNoBcryptUntilAFailedLogin$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), "PERENOS_TEST_FRESH_PROCESS=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestNoBcryptUntilAFailedLogin") {
			t.Fatalf("in a fresh process: %v\n%s", err, out)
		}
		return
	}
	if review.DummyHashMade() {
		t.Fatal("the stand-in bcrypt hash was computed when the package was loaded")
	}
	f := newFixture(t)
	if code := newClient(t).login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if review.DummyHashMade() {
		t.Fatal("constructing the server or a successful login computed the stand-in hash")
	}
	if code := newClient(t).login(f.url, "нет-такого", opPass); code != http.StatusUnauthorized {
		t.Fatalf("unknown name: %d", code)
	}
	if !review.DummyHashMade() {
		t.Fatal("a login with an unknown name did not compare against the stand-in hash")
	}
}

package review_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"perenos/review"
)

// newClientFrom is a client whose connections come from the loopback
// address addr (any of 127.0.0.0/8 on Linux), as a browser elsewhere would.
func newClientFrom(t *testing.T, addr string) *client {
	c := newClient(t)
	c.hc.Timeout = time.Minute // a bcrypt comparison takes seconds under the race detector
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(addr)}, Timeout: 5 * time.Second}
	c.hc.Transport = &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}
	return c
}

// loginForm fetches the login form's token once, as a script would, and
// returns the form values of an attempt for name with password.
func (c *client) loginForm(base string) func(name, password string) url.Values {
	tok := c.csrf(base + "/login")
	return func(name, password string) url.Values {
		return url.Values{"csrf": {tok}, "name": {name}, "password": {password}}
	}
}

// TestLoginFloodDoesNotResetTheLimit is the attack of issue 15, item 8: an
// attacker that has used up its attempts floods the login with made-up
// names (110,000 posts from a second address of its), then tries the right
// password. The flood must not empty the limit, and the limits' memory
// stays bounded, also against a flood from many addresses.
func TestLoginFloodDoesNotResetTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("110,000 requests")
	}
	f := newFixture(t)
	attacker, flooder := newClientFrom(t, "127.0.0.2"), newClientFrom(t, "127.0.0.3")
	form, junk := attacker.loginForm(f.url), flooder.loginForm(f.url)
	for i := range 5 {
		if code, _, _ := attacker.post(f.url+"/login", form(opName, "неверный-пароль-"+strconv.Itoa(i))); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if code, _, _ := attacker.post(f.url+"/login", form(opName, opPass)); code != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt in a minute: %d, want 429", code)
	}
	n := 110000 // past the 100,000 keys at which the old limiter started over
	if raceEnabled {
		n = 2000 // the race detector's run looks for races, not for the old limiter's reset
	}
	flood(t, n, 8, func(i int) int {
		return flooder.try(f.url+"/login", junk("junk-"+strconv.Itoa(i), "x"))
	})
	if code, _, _ := attacker.post(f.url+"/login", form(opName, opPass)); code != http.StatusTooManyRequests {
		t.Fatalf("after a flood of made-up names the right password went through: %d, want 429", code)
	}
	// The attacker's three buckets, the flooder's address and the 10 names
	// it could try before its address was refused: nothing more.
	if n := f.srv.LimitBuckets(); n != 3+1+10 {
		t.Errorf("a flood from one address left %d buckets, want 14", n)
	}

	// From many addresses, with room for 20 keys per limit: no bucket of
	// the attacker is forgotten, and memory stays within the bound.
	srv, err := review.NewServer(context.Background(), review.Config{WS: f.ws, Backend: f.src, PublicURL: f.url, LoginKeys: 20, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	a := newClientFrom(t, "127.0.0.2")
	aform := a.loginForm(hs.URL)
	for i := range 5 {
		a.post(hs.URL+"/login", aform(opName, "неверный-"+strconv.Itoa(i)))
	}
	var refused atomic.Int64
	addrs := 300
	if raceEnabled {
		addrs = 60
	}
	flood(t, addrs, 4, func(i int) int {
		c := newClientFrom(t, "127.1."+strconv.Itoa(i/250)+"."+strconv.Itoa(1+i%250))
		c.hc.Jar = a.hc.Jar // the form's token, fetched once
		code := c.try(hs.URL+"/login", aform("junk-"+strconv.Itoa(i), "x"))
		if code == http.StatusTooManyRequests {
			refused.Add(1)
		}
		return code
	})
	if code, _, _ := a.post(hs.URL+"/login", aform(opName, opPass)); code != http.StatusTooManyRequests {
		t.Fatalf("after a flood from %d addresses the attacker's limit was reset: %d, want 429", addrs, code)
	}
	if n := srv.LimitBuckets(); n > 5*20 {
		t.Errorf("%d buckets, more than 5 limits × 20 keys", n)
	}
	if refused.Load() == 0 {
		t.Errorf("with room for 20 keys, %d new addresses were all let through", addrs)
	}
	t.Logf("distributed flood: %d of %d refused for want of room", refused.Load(), addrs)
}

// try posts a form from a flood's goroutine: it answers the status, or 0
// when the request failed (tests must not stop from other goroutines).
func (c *client) try(u string, form url.Values) int {
	resp, err := c.hc.PostForm(u, form)
	if err != nil {
		c.t.Log(err)
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// flood sends n requests with workers at once, bounded to two minutes; every
// answer must be a login page (401 or 429), never an error.
func flood(t *testing.T, n, workers int, send func(i int) int) {
	t.Helper()
	start := time.Now()
	var next atomic.Int64
	var bad atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || time.Since(start) > 2*time.Minute {
					return
				}
				if code := send(i); code != http.StatusUnauthorized && code != http.StatusTooManyRequests {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if sent := min(int(next.Load()), n); sent < n {
		t.Fatalf("flood: only %d of %d requests in two minutes", sent, n)
	}
	if bad.Load() > 0 {
		t.Fatalf("flood: %d answers were neither 401 nor 429", bad.Load())
	}
	t.Logf("flood: %d requests in %s", n, time.Since(start).Round(time.Millisecond))
}

// TestLockoutOnlySlowsStrangers: failed attempts against an operator's
// account from other addresses slow guessing down without locking the
// operator out: one address cannot, and many addresses delay only browsers
// that never logged in to the account, for seconds.
func TestLockoutOnlySlowsStrangers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// The operator's own browser has logged in before.
	own := newClientFrom(t, "127.0.0.3")
	if code := own.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	var evaluated int // wrong passwords actually checked
	attack := func(addr string, n int) {
		c := newClientFrom(t, addr)
		form := c.loginForm(f.url)
		for i := range n {
			code, _, _ := c.post(f.url+"/login", form(opName, "подбор-"+strconv.Itoa(i)))
			switch code {
			case http.StatusUnauthorized:
				evaluated++
			case http.StatusTooManyRequests:
			default:
				t.Fatalf("attempt from %s: %d", addr, code)
			}
		}
	}
	// One address, 30 attempts: 5 are checked, and the operator, from a
	// browser the account does not know, still gets in.
	attack("127.0.0.2", 30)
	if evaluated != 5 {
		t.Errorf("one address had %d passwords checked in a minute, want 5", evaluated)
	}
	if code := newClientFrom(t, "127.0.0.4").login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("one attacking address locked the operator out: %d", code)
	}
	// Ten addresses, 5 attempts each: strangers share 10 checks a minute.
	for i := range 10 {
		attack("127.0.1."+strconv.Itoa(10+i), 5)
	}
	if evaluated > 10 {
		t.Errorf("%d passwords checked in a minute against one account, want at most 10", evaluated)
	}
	stranger := newClientFrom(t, "127.0.0.5")
	tok := stranger.csrf(f.url + "/login")
	code, body, hdr := stranger.post(f.url+"/login", url.Values{"csrf": {tok}, "name": {opName}, "password": {opPass}})
	wait, _ := strconv.Atoi(hdr.Get("Retry-After"))
	if code != http.StatusTooManyRequests || wait < 1 || wait > 6 || !strings.Contains(body, "Повторите через") {
		t.Errorf("a new browser during a spread-out attack: %d, Retry-After %q (want 429 and a wait of seconds)", code, hdr.Get("Retry-After"))
	}
	// The operator's own browser is not delayed at all.
	own.hc.Jar.SetCookies(mustURL(f.url), []*http.Cookie{{Name: "perenos_session", Value: "", MaxAge: -1}})
	if code := own.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("the operator's own browser is locked out by the attack: %d", code)
	}
	// And the new browser gets in after the wait it was told.
	f.now = f.now.Add(time.Duration(wait) * time.Second)
	if code := stranger.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("after the %d s it was told to wait: %d", wait, code)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

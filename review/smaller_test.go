package review_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDoneBannerShowsOnlyKnownMessages: the banner after a change is chosen
// by a code; text put into the address is never shown.
func TestDoneBannerShowsOnlyKnownMessages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newClient(t)
	if code := c.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	plan, _ := f.src.Plan(schoolID)
	key := url.QueryEscape(itemKey(t, plan, "/history.html"))
	lure := "Ваш сеанс истёк, введите пароль на evil.example"
	for _, u := range []string{
		"/site/" + schoolID + "?done=" + url.QueryEscape(lure),
		"/site/" + schoolID + "/item?key=" + key + "&done=" + url.QueryEscape(lure),
	} {
		code, body := c.get(f.url + u)
		if code != http.StatusOK {
			t.Fatalf("GET %s: %d", u, code)
		}
		if strings.Contains(body, "evil.example") || strings.Contains(body, `class="flash"`) {
			t.Errorf("GET %s shows text from the address as a banner", u)
		}
	}
	_, body := c.get(f.url + "/site/" + schoolID + "?done=approved")
	if !strings.Contains(body, `class="flash"`) || !strings.Contains(body, "Сайт одобрен и передан оператору") {
		t.Errorf("a known code shows no banner:\n%.600s", body)
	}
}

// TestStaticListsNothing: the UI's files are served, their folder is not listed.
func TestStaticListsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newClient(t)
	for _, u := range []string{"/static/", "/static", "/static/../templates/", "/static/%2e%2e/"} {
		code, body := c.get(f.url + u)
		if code == http.StatusOK || strings.Contains(body, `href="app.js"`) || strings.Contains(body, `href="style.css"`) {
			t.Errorf("GET %s: %d, lists the folder:\n%.300s", u, code, body)
		}
	}
	if code, body := c.get(f.url + "/static/style.css"); code != http.StatusOK || !strings.Contains(body, "body") {
		t.Errorf("GET /static/style.css: %d", code)
	}
	if code, body := c.get(f.url + "/static/"); code != http.StatusNotFound || !strings.Contains(body, "Страница не найдена") {
		t.Errorf("GET /static/: %d, want the 404 page", code)
	}
}

// TestInvitationIsSingleUse: the first visit exchanges the link for a
// session; the same browser visiting again goes on to its site, any other
// is told plainly that the link was used and how to get a new one, also
// when two browsers try at the same moment.
func TestInvitationIsSingleUse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	link, inv := f.invite(t, schoolID, 48*time.Hour)
	first := newClient(t)
	if code, _ := first.enter(link); code != http.StatusSeeOther {
		t.Fatalf("first visit: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	if code, _, hdr := first.do(req); code != http.StatusSeeOther || hdr.Get("Location") != "/site/"+schoolID {
		t.Errorf("the same browser, again: %d → %q, want its site", code, hdr.Get("Location"))
	}
	code, body := newClient(t).get(link)
	if code != http.StatusGone || !strings.Contains(body, "уже использована") || !strings.Contains(body, "попросите оператора выслать новое приглашение") {
		t.Errorf("another browser: %d\n%.800s", code, body)
	}
	// The session it opened lasts as long as the invitation, not 12 hours.
	f.now = f.now.Add(24 * time.Hour)
	if code, _ := first.get(f.url + "/site/" + schoolID); code != http.StatusOK {
		t.Errorf("the admin's session a day later: %d", code)
	}
	f.now = f.now.Add(25 * time.Hour)
	if code, _ := first.get(f.url + "/site/" + schoolID); code != http.StatusSeeOther {
		t.Errorf("the admin's session after the invitation expired: %d", code)
	}
	invs, _ := f.ws.Invitations(schoolID)
	if len(invs) != 1 || invs[0].ID != inv.ID || invs[0].Used.IsZero() {
		t.Errorf("the invitation is not recorded as used: %+v", invs)
	}

	// Two browsers that both opened the form post it at once: one gets in.
	f.now = time.Now()
	link, _ = f.invite(t, schoolID, time.Hour)
	u, _ := url.Parse(link)
	token := strings.TrimPrefix(u.Path, "/invite/")
	var codes []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	type visitor struct {
		c   *client
		tok string
	}
	var visitors []visitor
	for range 4 {
		c := newClient(t)
		visitors = append(visitors, visitor{c, c.csrf(link)})
	}
	for _, v := range visitors {
		c, tok := v.c, v.tok
		wg.Go(func() {
			code, _, _ := c.post(f.url+"/invite", url.Values{"csrf": {tok}, "token": {token}})
			mu.Lock()
			codes = append(codes, code)
			mu.Unlock()
		})
	}
	wg.Wait()
	in := 0
	for _, code := range codes {
		switch code {
		case http.StatusSeeOther:
			in++
		case http.StatusGone:
		default:
			t.Errorf("a concurrent use answered %d", code)
		}
	}
	if in != 1 {
		t.Errorf("%d of 4 concurrent uses got in, want 1 (%v)", in, codes)
	}
}

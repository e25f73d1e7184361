package review_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"perenos/review"
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
	// The editor's bundle is fetched once per version: asked again with its
	// ETag, the answer is 304 without a body.
	req, _ := http.NewRequest(http.MethodGet, f.url+"/static/editor.js", nil)
	code, body, hdr := c.do(req)
	if code != http.StatusOK || len(body) < 100000 || hdr.Get("ETag") == "" || !strings.HasPrefix(hdr.Get("Content-Type"), "text/javascript") {
		t.Fatalf("GET /static/editor.js: %d, %d bytes, ETag %q, %s", code, len(body), hdr.Get("ETag"), hdr.Get("Content-Type"))
	}
	req, _ = http.NewRequest(http.MethodGet, f.url+"/static/editor.js", nil)
	req.Header.Set("If-None-Match", hdr.Get("ETag"))
	if code, body, _ := c.do(req); code != http.StatusNotModified || body != "" {
		t.Errorf("GET /static/editor.js again with its ETag: %d, %d bytes", code, len(body))
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

// TestSiteViewFoldsCopies: the demo school's 100-odd copies for the
// visually impaired and their records fold into one line, repeats of a
// record into another, and no reason claims that an excluded page is
// migrated itself.
func TestSiteViewFoldsCopies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newClient(t)
	if code := c.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	plan, _ := f.src.Plan(schoolID)
	code, body := c.get(f.url + "/site/" + schoolID)
	if code != http.StatusOK {
		t.Fatalf("site view: %d", code)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var excluded *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "section" && attr(n, "id") == "excluded" {
			excluded = n
		}
	}
	if excluded == nil {
		t.Fatal("no section of exclusions")
	}
	shown, folded := 0, map[string]string{}
	for n := range excluded.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if n.Data == "details" {
			for s := range n.Descendants() {
				if s.Type == html.ElementNode && s.Data == "summary" {
					folded[attr(n, "id")] = text(s)
				}
			}
		}
		if n.Data == "li" && !inside(n, "details") {
			shown++
		}
	}
	if shown > 5 {
		t.Errorf("%d excluded items shown one by one (the plan excludes %d)", shown, len(plan.Excluded))
	}
	if s := folded["copies"]; !strings.HasPrefix(s, "Копии страниц для слабовидящих и версии для печати: ") || !strings.Contains(s, "материал") {
		t.Errorf("copies line: %q", s)
	}
	if s := folded["repeats"]; !strings.HasPrefix(s, "Повторы записей") {
		t.Errorf("repeats line: %q", s)
	}
	for _, it := range plan.Excluded {
		if strings.Contains(it.Reason, "?special=1, которая переносится сама") && strings.Contains(body, it.Reason) {
			t.Errorf("the page repeats the claim %q", it.Reason)
		}
	}
	t.Logf("excluded %d, shown one by one %d, folded %v", len(plan.Excluded), shown, folded)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func inside(n *html.Node, tag string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == tag {
			return true
		}
	}
	return false
}

// TestErrorPagesAndTimesInRussian: the server's own error answers are the
// UI's Russian pages, and times show in the region's zone.
func TestErrorPagesAndTimesInRussian(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newClient(t)
	for _, tc := range []struct {
		method, path string
		code         int
		want         string
	}{
		{http.MethodGet, "/no/such/page", http.StatusNotFound, "<h1>Страница не найдена</h1>"},
		{http.MethodGet, "/logout", http.StatusMethodNotAllowed, "<h1>Такое действие здесь невозможно</h1>"},
		{http.MethodPost, "/site/" + schoolID + "/approve", http.StatusUnauthorized, "<h1>Нужно войти</h1>"},
	} {
		req, _ := http.NewRequest(tc.method, f.url+tc.path, nil)
		code, body, _ := c.do(req)
		if code != tc.code || !strings.Contains(body, tc.want) || strings.Contains(body, "not found") || strings.Contains(body, "Not Found") || strings.Contains(body, "Method Not Allowed") {
			t.Errorf("%s %s: %d\n%.400s", tc.method, tc.path, code, body)
		}
	}

	irkutsk := time.FixedZone("Иркутск", 8*3600)
	at := time.Date(2026, 12, 1, 4, 30, 0, 0, time.UTC)
	srv, err := review.NewServer(context.Background(), review.Config{WS: f.ws, Backend: f.src, PublicURL: f.url, Location: irkutsk, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	link, _, err := review.Invite(f.ws, hs.URL, schoolID, "operator:test", 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The invitation is stamped by the workspace's clock, the use by the server's.
	if code, _ := newClient(t).enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	if code, body := newClient(t).get(link); code != http.StatusGone || !strings.Contains(body, "уже вошли 01.12.2026 12:30") {
		t.Errorf("used-link page: %d, want the time of use in Irkutsk (12:30):\n%.800s", code, body)
	}
}

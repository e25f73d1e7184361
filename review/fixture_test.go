package review_test

import (
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"perenos"
	"perenos/crawler"
	"perenos/demo"
	"perenos/mapping"
	"perenos/pipeline"
	"perenos/review"
	"perenos/review/ledger"
	"perenos/store"
)

// The fixture's organisations: the bundled demo school and a small site of
// our own whose announcements page carries script, handlers and
// javascript: links.
const (
	schoolID  = "3801000007"
	hostileID = "3801000042"
	opName    = "оператор"
	opPass    = "верный-пароль-2026"
)

// fixture is a workspace with two mapped sites and the review server over it.
type fixture struct {
	ws  *store.Workspace
	src *ledger.Source
	srv *review.Server
	url string
	now time.Time
}

func serveSite(t *testing.T, fsys fs.FS) string {
	t.Helper()
	hs := httptest.NewServer(demo.StaticSite(fsys))
	t.Cleanup(hs.Close)
	return hs.URL + "/"
}

// newFixture crawls, extracts and maps both sites with the real pipeline
// and starts the review server on loopback.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	school, err := fs.Sub(perenos.DemoSites, "testdata/sites/school")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ws: store.TestStore(t), now: time.Now()}
	for _, o := range []store.Org{
		{ID: schoolID, Name: "МБОУ СОШ № 7", Type: store.School, Region: "Иркутская область", District: "Ангарский", LegacyURL: serveSite(t, school), PortalSite: "sh7"},
		{ID: hostileID, Name: "МБОУ «Школа на Озёрной»", Type: store.School, Region: "Иркутская область", District: "Слюдянский", LegacyURL: serveSite(t, os.DirFS("testdata/hostile")), PortalSite: "ozr"},
	} {
		if _, err := f.ws.UpsertOrg("test", o); err != nil {
			t.Fatal(err)
		}
	}
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Runner{WS: f.ws, Actor: "test", SitesParallel: 2}
	crawl := pipeline.Crawl{Options: crawler.Options{Net: crawler.NetOptions{AllowPrivate: true}, Delay: time.Millisecond}}
	orgs, err := pipeline.Select(f.ws, pipeline.Selector{All: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := r.Run(ctx, orgs, pipeline.RunSteps(crawl, pipeline.Map{Profiles: profiles})...); res.Failed > 0 || res.Skipped > 0 {
		t.Fatalf("fixture pipeline: %+v", res.Outcomes)
	}
	f.src = &ledger.Source{WS: f.ws, Profiles: profiles}
	var handler http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	f.url = hs.URL
	report := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<h1>Отчёт координатора</h1>"))
	})
	f.srv, err = review.NewServer(ctx, review.Config{WS: f.ws, Backend: f.src, PublicURL: hs.URL, Now: func() time.Time { return f.now }, Report: report})
	if err != nil {
		t.Fatal(err)
	}
	handler = f.srv
	hash, err := review.HashPassword(opPass)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.ws.PutUser("test", store.User{Name: opName, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	return f
}

// invite issues an invitation link to org valid for ttl.
func (f *fixture) invite(t *testing.T, org string, ttl time.Duration) (string, *store.Invitation) {
	t.Helper()
	link, inv, err := review.Invite(f.ws, f.url, org, "operator:test", ttl)
	if err != nil {
		t.Fatal(err)
	}
	return link, inv
}

// client is a browser-like HTTP client with a cookie jar that does not
// follow redirects, so that tests see each answer.
type client struct {
	t  *testing.T
	hc *http.Client
}

func newClient(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, hc: &http.Client{Jar: jar, Timeout: time.Minute, // bcrypt takes seconds under the race detector
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(req *http.Request) (int, string, http.Header) {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (c *client) get(u string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	code, body, _ := c.do(req)
	return code, body
}

func (c *client) post(u string, form url.Values) (int, string, http.Header) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the form token of the page at u.
func (c *client) csrf(u string) string {
	c.t.Helper()
	code, body := c.get(u)
	m := csrfRe.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		c.t.Fatalf("GET %s: %d, no form token in:\n%.500s", u, code, body)
	}
	return m[1]
}

// enter opens an invitation link and accepts it.
func (c *client) enter(link string) (int, string) {
	c.t.Helper()
	code, body := c.get(link)
	if code != http.StatusOK {
		return code, body
	}
	tok := csrfRe.FindStringSubmatch(body)
	u, _ := url.Parse(link)
	code, body, _ = c.post(u.Scheme+"://"+u.Host+"/invite", url.Values{"csrf": {tok[1]}, "token": {strings.TrimPrefix(u.Path, "/invite/")}})
	return code, body
}

// login logs in as the operator.
func (c *client) login(base, name, pass string) int {
	c.t.Helper()
	tok := c.csrf(base + "/login")
	code, _, _ := c.post(base+"/login", url.Values{"csrf": {tok}, "name": {name}, "password": {pass}})
	return code
}

// itemKey finds the key of the plan item whose source URL ends with suffix.
func itemKey(t *testing.T, p *mapping.Plan, suffix string) string {
	t.Helper()
	var all []mapping.Item
	for _, s := range p.Sections {
		all = append(all, s.Items...)
	}
	all = append(append(all, p.Unplaced...), p.Excluded...)
	for _, it := range all {
		if strings.HasSuffix(it.SourceURL, suffix) {
			return it.Key
		}
	}
	t.Fatalf("no item from %s in the plan", suffix)
	return ""
}

package review_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"perenos/review"
	"perenos/review/ledger"
	"perenos/store"
)

// newBareFixture is a workspace of two registered organisations (nothing
// crawled) with an operator account and the review server over it: what
// the operator's pages of accounts, invitations and the log need.
func newBareFixture(t *testing.T, loc *time.Location) *fixture {
	t.Helper()
	f := &fixture{ws: store.TestStore(t), now: time.Now()}
	for _, o := range []store.Org{
		{ID: schoolID, Name: "МБОУ СОШ № 7", Type: store.School, Region: "Иркутская область", District: "Ангарский", PortalSite: "sh7"},
		{ID: hostileID, Name: "МБОУ «Школа на Озёрной»", Type: store.School, Region: "Иркутская область", District: "Слюдянский", LegacyURL: "http://ozr.example/", PortalSite: "ozr"},
	} {
		if _, err := f.ws.UpsertOrg("test", o); err != nil {
			t.Fatal(err)
		}
	}
	f.src = &ledger.Source{WS: f.ws}
	var handler http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	f.url = hs.URL
	var err error
	f.srv, err = review.NewServer(context.Background(), review.Config{WS: f.ws, Backend: f.src, PublicURL: hs.URL, Location: loc, Now: func() time.Time { return f.now }})
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

// operatorClient is a client logged in as the fixture's operator, and its form token.
func (f *fixture) operatorClient(t *testing.T) (*client, string) {
	t.Helper()
	c := newClient(t)
	if code := c.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("operator login: %d", code)
	}
	return c, c.csrf(f.url + "/users")
}

// The operator's pages and forms, with a form that would change something.
func operatorForms() []struct {
	path string
	form url.Values
} {
	return []struct {
		path string
		form url.Values
	}{
		{"/users", url.Values{"name": {"чужой"}, "password": {"пароль-чужого-1"}, "password2": {"пароль-чужого-1"}}},
		{"/users/password", url.Values{"name": {opName}, "password": {"пароль-чужого-1"}, "password2": {"пароль-чужого-1"}}},
		{"/users/disable", url.Values{"name": {opName}}},
		{"/site/" + schoolID + "/invitations", url.Values{"ttl_days": {"14"}}},
		{"/site/" + schoolID + "/invitations/revoke", url.Values{"all": {"yes"}}},
	}
}

// TestOperatorPagesAreNotForAdmins: an organisation's admin, even on their
// own organisation, finds none of the operator's pages (404, as another
// organisation's), and none of their forms does anything.
func TestOperatorPagesAreNotForAdmins(t *testing.T) {
	t.Parallel()
	f := newBareFixture(t, nil)
	link, inv := f.invite(t, schoolID, time.Hour)
	admin := newClient(t)
	if code, _ := admin.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	tok := admin.csrf(f.url + "/site/" + schoolID)
	for _, p := range []string{"/users", "/events", "/events?org=" + schoolID, "/site/" + schoolID + "/invitations", "/site/" + hostileID + "/invitations"} {
		if code, body := admin.get(f.url + p); code != http.StatusNotFound || !strings.Contains(body, "Страница не найдена") {
			t.Errorf("the admin's GET %s: %d, want 404\n%.300s", p, code, body)
		}
	}
	for _, p := range operatorForms() {
		p.form.Set("csrf", tok)
		if code, _, _ := admin.post(f.url+p.path, p.form); code != http.StatusNotFound {
			t.Errorf("the admin's POST %s: %d, want 404", p.path, code)
		}
	}
	// Nothing changed: no account, no new invitation, nothing revoked.
	if users, _ := f.ws.Users(); len(users) != 1 || users[0].Disabled || users[0].Generation != 0 {
		t.Errorf("the admin's posts changed the accounts: %+v", users)
	}
	invs, _ := f.ws.Invitations(schoolID)
	if len(invs) != 1 || invs[0].ID != inv.ID || !invs[0].Revoked.IsZero() {
		t.Errorf("the admin's posts changed the invitations: %+v", invs)
	}
	// The admin still reaches their own site and its log.
	for _, p := range []string{"/site/" + schoolID, "/site/" + schoolID + "/events"} {
		if code, _ := admin.get(f.url + p); code != http.StatusOK {
			t.Errorf("the admin's own %s: %d", p, code)
		}
	}
	// Nor does anyone logged out.
	for _, p := range []string{"/users", "/events", "/site/" + schoolID + "/invitations"} {
		if code, _ := newClient(t).get(f.url + p); code != http.StatusSeeOther {
			t.Errorf("a stranger's GET %s: %d, want a redirect to the login", p, code)
		}
	}
}

// TestOperatorFormsNeedTheirToken: every form of the operator's pages is
// refused without the session's form token, or with another, and changes
// nothing; with it, the same post goes through.
func TestOperatorFormsNeedTheirToken(t *testing.T) {
	t.Parallel()
	f := newBareFixture(t, nil)
	_, inv := f.invite(t, schoolID, time.Hour)
	c, tok := f.operatorClient(t)
	for _, p := range operatorForms() {
		for name, bad := range map[string]string{"missing": "", "wrong": strings.Repeat("A", len(tok))} {
			form := url.Values{}
			for k, v := range p.form {
				form[k] = v
			}
			if bad != "" {
				form.Set("csrf", bad)
			}
			if code, body, _ := c.post(f.url+p.path, form); code != http.StatusForbidden || !strings.Contains(body, "Форма устарела") {
				t.Errorf("%s token: POST %s answered %d, want 403", name, p.path, code)
			}
		}
	}
	if users, _ := f.ws.Users(); len(users) != 1 || users[0].Disabled || users[0].Generation != 0 {
		t.Errorf("posts without the token changed the accounts: %+v", users)
	}
	if invs, _ := f.ws.Invitations(schoolID); len(invs) != 1 || invs[0].ID != inv.ID || !invs[0].Revoked.IsZero() {
		t.Errorf("posts without the token changed the invitations: %+v", invs)
	}
	// With the token: an invitation is issued.
	if code, _, hdr := c.post(f.url+"/site/"+schoolID+"/invitations", url.Values{"csrf": {tok}, "ttl_days": {"3"}}); code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "shown=") {
		t.Fatalf("issue with the token: %d %v", code, hdr)
	}
	if invs, _ := f.ws.Invitations(schoolID); len(invs) != 2 {
		t.Errorf("issued with the token, the organisation has %d invitations", len(invs))
	}
}

var linkRe = regexp.MustCompile(`id="invite-link" readonly value="([^"]+)"`)

// TestInvitationsFromTheWebUI: the operator issues an invitation as perenos
// invite does; its link is shown once (a reload shows it no more, and
// another operator's session never sees it), opens the organisation's site
// in a fresh browser, and the list tells valid, used, expired and revoked
// apart; revoking ends the admin's session at once.
func TestInvitationsFromTheWebUI(t *testing.T) {
	t.Parallel()
	f := newBareFixture(t, nil)
	c, tok := f.operatorClient(t)
	page := f.url + "/site/" + schoolID + "/invitations"
	if code, body := c.get(page); code != http.StatusOK || !strings.Contains(body, "Приглашений этой организации ещё не выдавали") {
		t.Fatalf("empty list: %d\n%.500s", code, body)
	}
	if code, body, _ := c.post(page, url.Values{"csrf": {tok}, "ttl_days": {"2"}}); code != http.StatusBadRequest || !strings.Contains(body, "срок") {
		t.Errorf("a lifetime not offered: %d", code)
	}
	code, _, hdr := c.post(page, url.Values{"csrf": {tok}, "ttl_days": {"7"}})
	if code != http.StatusSeeOther {
		t.Fatalf("issue: %d", code)
	}
	shown := f.url + hdr.Get("Location")
	// Another operator's session does not see it (and does not spend it).
	other, _ := f.operatorClient(t)
	if _, body := other.get(shown); linkRe.MatchString(body) {
		t.Error("another session sees the new link")
	}
	_, body := c.get(shown)
	m := linkRe.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "Ссылка показана один раз") || !strings.Contains(body, `id="copy-link"`) {
		t.Fatalf("the new link is not shown with its copy button:\n%.3000s", body)
	}
	link := m[1]
	if !strings.HasPrefix(link, f.url+"/invite/") {
		t.Fatalf("link %q does not start with the public address", link)
	}
	invs, _ := f.ws.Invitations(schoolID)
	if len(invs) != 1 || invs[0].Expires.Sub(invs[0].Created) != 7*24*time.Hour || invs[0].CreatedBy != "operator:"+opName {
		t.Fatalf("issued invitation: %+v", invs)
	}
	if invs[0].TokenHash != review.TokenHash(strings.TrimPrefix(link, f.url+"/invite/")) {
		t.Fatal("the link's token is not the one stored hashed")
	}
	if _, again := c.get(shown); linkRe.MatchString(again) || !strings.Contains(again, "показывается один раз и больше не видна") {
		t.Errorf("a reload shows the link again:\n%.2000s", again)
	}
	if strings.Contains(mustGet(t, c, page), link) {
		t.Error("the list shows the link")
	}

	// The link opens the site in a fresh browser; the list says used.
	admin := newClient(t)
	if code, _ := admin.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter by the new link: %d", code)
	}
	if code, body := admin.get(f.url + "/site/" + schoolID); code != http.StatusOK || !strings.Contains(body, "МБОУ СОШ № 7") {
		t.Fatalf("the admin's site: %d", code)
	}
	// Two more: one expires, one is revoked.
	_, expiring := f.invite(t, schoolID, time.Hour)
	_, revoked := f.invite(t, schoolID, time.Hour)
	if code, _, _ := c.post(page+"/revoke", url.Values{"csrf": {tok}, "id": {revoked.ID}}); code != http.StatusSeeOther {
		t.Fatalf("revoke one: %d", code)
	}
	f.now = f.now.Add(2 * time.Hour)
	list := mustGet(t, c, page)
	for id, want := range map[string]string{invs[0].ID: "использовано", expiring.ID: "срок истёк", revoked.ID: "отозвано"} {
		row := regexp.MustCompile(`(?s)<tr data-invitation="` + regexp.QuoteMeta(id) + `">.*?</tr>`).FindString(list)
		if !strings.Contains(row, want) {
			t.Errorf("invitation %s: want «%s» in its row:\n%s", id, want, row)
		}
	}
	// Revoking all ends the admin's session at once.
	if code, _, hdr := c.post(page+"/revoke", url.Values{"csrf": {tok}, "all": {"yes"}}); code != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "done=revoked-all") {
		t.Fatalf("revoke all: %d %v", code, hdr)
	}
	if code, _ := admin.get(f.url + "/site/" + schoolID); code != http.StatusSeeOther {
		t.Errorf("the admin's session outlived the revocation: %d", code)
	}
	// The log says who did each.
	log := mustGet(t, c, f.url+"/site/"+schoolID+"/events")
	for _, want := range []string{"оператор " + opName, "приглашение " + invs[0].ID + " выдано", "приглашение " + revoked.ID + " отозвано", "вход по приглашению " + invs[0].ID} {
		if !strings.Contains(log, want) {
			t.Errorf("the log does not say %q", want)
		}
	}
}

func mustGet(t *testing.T, c *client, u string) string {
	t.Helper()
	code, body := c.get(u)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.500s", u, code, body)
	}
	return body
}

// TestOperatorAccountsFromTheWebUI: accounts are added, disabled and given
// new passwords as perenos users does, with its rules, and each change
// ends the account's sessions at once.
func TestOperatorAccountsFromTheWebUI(t *testing.T) {
	t.Parallel()
	f := newBareFixture(t, nil)
	c, tok := f.operatorClient(t)
	const anna, pw = "анна", "пароль-анны-2026"
	for _, tc := range []struct {
		form url.Values
		code int
		want string
	}{
		{url.Values{"name": {anna}, "password": {pw}, "password2": {pw + "!"}}, http.StatusBadRequest, "Пароли не совпадают"},
		{url.Values{"name": {anna}, "password": {"короткий"}, "password2": {"короткий"}}, http.StatusBadRequest, "не меньше 10 символов"},
		{url.Values{"name": {" анна"}, "password": {pw}, "password2": {pw}}, http.StatusBadRequest, "без пробелов"},
		{url.Values{"name": {opName}, "password": {pw}, "password2": {pw}}, http.StatusConflict, "уже есть"},
	} {
		tc.form.Set("csrf", tok)
		code, body, _ := c.post(f.url+"/users", tc.form)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("add %v: %d, want %d and «%s»\n%.300s", tc.form, code, tc.code, tc.want, body)
		}
		if strings.Contains(body, pw) {
			t.Error("the page echoes the password")
		}
	}
	if users, _ := f.ws.Users(); len(users) != 1 {
		t.Fatalf("refused forms added accounts: %+v", users)
	}
	if code, _, _ := c.post(f.url+"/users", url.Values{"csrf": {tok}, "name": {anna}, "password": {pw}, "password2": {pw}}); code != http.StatusSeeOther {
		t.Fatalf("add: %d", code)
	}
	annaC := newClient(t)
	if code := annaC.login(f.url, anna, pw); code != http.StatusSeeOther {
		t.Fatalf("the new operator logs in: %d", code)
	}
	if body := mustGet(t, c, f.url+"/users"); !strings.Contains(body, `data-user="`+anna+`"`) {
		t.Error("the list does not show the new account")
	}

	// A new password ends her session; the new one opens.
	const pw2 = "новый-пароль-анны"
	if code, _, _ := c.post(f.url+"/users/password", url.Values{"csrf": {tok}, "name": {anna}, "password": {pw2}, "password2": {pw2}}); code != http.StatusSeeOther {
		t.Fatalf("new password: %d", code)
	}
	if code, _ := annaC.get(f.url + "/sites"); code != http.StatusSeeOther {
		t.Errorf("her session outlived the new password: %d", code)
	}
	if code := newClient(t).login(f.url, anna, pw); code != http.StatusUnauthorized {
		t.Errorf("the old password still opens: %d", code)
	}
	if code := annaC.login(f.url, anna, pw2); code != http.StatusSeeOther {
		t.Fatalf("the new password: %d", code)
	}

	// Disabling ends it too; one's own account is not disabled.
	if code, body, _ := c.post(f.url+"/users/disable", url.Values{"csrf": {tok}, "name": {opName}}); code != http.StatusConflict || !strings.Contains(body, "Свою учётную запись отключить нельзя") {
		t.Errorf("disable oneself: %d", code)
	}
	if code, _, _ := c.post(f.url+"/users/disable", url.Values{"csrf": {tok}, "name": {anna}}); code != http.StatusSeeOther {
		t.Fatalf("disable: %d", code)
	}
	if code, _ := annaC.get(f.url + "/sites"); code != http.StatusSeeOther {
		t.Errorf("her session outlived disabling: %d", code)
	}
	if code := newClient(t).login(f.url, anna, pw2); code != http.StatusUnauthorized {
		t.Errorf("a disabled account logs in: %d", code)
	}
	if u, _ := f.ws.User(anna); !u.Disabled {
		t.Error("the ledger does not say disabled")
	}
	// A new password enables it again, as perenos users add does.
	if code, _, _ := c.post(f.url+"/users/password", url.Values{"csrf": {tok}, "name": {anna}, "password": {pw}, "password2": {pw}}); code != http.StatusSeeOther {
		t.Fatalf("new password for the disabled account: %d", code)
	}
	if code := newClient(t).login(f.url, anna, pw); code != http.StatusSeeOther {
		t.Errorf("enabled again by a new password, she cannot log in: %d", code)
	}

	// One's own new password: every own session ends, this one too.
	if code, _, hdr := c.post(f.url+"/users/password", url.Values{"csrf": {tok}, "name": {opName}, "password": {pw2}, "password2": {pw2}}); code != http.StatusSeeOther || hdr.Get("Location") != "/login?done=password-changed" {
		t.Fatalf("own new password: %d %v", code, hdr)
	}
	if code, _ := c.get(f.url + "/users"); code != http.StatusSeeOther {
		t.Errorf("the session outlived its own new password: %d", code)
	}
	if code, body := c.get(f.url + "/login?done=password-changed"); code != http.StatusOK || !strings.Contains(body, "войдите с новым паролем") {
		t.Errorf("the login page does not say why: %d", code)
	}
	// The region's log names who did what, in Russian.
	c2 := newClient(t)
	if code := c2.login(f.url, opName, pw2); code != http.StatusSeeOther {
		t.Fatalf("login with the own new password: %d", code)
	}
	log := mustGet(t, c2, f.url+"/events?org="+url.QueryEscape(store.UsersLog))
	if n := strings.Count(log, "изменена учётная запись оператора"); n < 5 {
		t.Errorf("the log shows %d changes of accounts, want 5 or more:\n%.2000s", n, log)
	}
	if strings.Contains(log, "operator account") {
		t.Error("the log shows the store's English summary")
	}
}

// TestRegionLogFiltersAndPages: the region's log is newest first, a page
// of 50 at a time, narrowed by organisation, kind and days counted in the
// region's zone, in Russian.
func TestRegionLogFiltersAndPages(t *testing.T) {
	t.Parallel()
	irkutsk := time.FixedZone("Иркутск", 8*3600)
	f := newBareFixture(t, irkutsk)
	// 120 edits of the school, one a minute, from 1 December 22:00 UTC
	// (2 December 06:00 in Irkutsk) on; and a state change of the other
	// site late on 1 December UTC, already 2 December in Irkutsk. (A year
	// before the tests run: the import's events are of today.)
	year := time.Now().Year() - 1
	start := time.Date(year, 12, 1, 22, 0, 0, 0, time.UTC)
	for i := range 120 {
		if err := f.ws.Log(store.Event{Time: start.Add(time.Duration(i) * time.Minute), Actor: "operator:тест", Org: schoolID, Kind: store.EventEdit, Reason: fmt.Sprintf("правка № %03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	late := time.Date(year, 12, 1, 17, 30, 0, 0, time.UTC) // 01:30 on 2 December in Irkutsk
	if err := f.ws.Log(store.Event{Time: late, Actor: "test", Org: hostileID, Kind: store.EventState, From: "registered", To: "crawled", Reason: "crawled 12 pages"}); err != nil {
		t.Fatal(err)
	}
	c, _ := f.operatorClient(t)
	day := func(d int) string { return fmt.Sprintf("%d-12-%02d", year, d) }
	rows := regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`)
	rowRe := regexp.MustCompile(`<tr data-org="([^"]+)"><td>([^<]+)</td>.*?</tr>`)
	get := func(q string) (string, [][]string) {
		body := mustGet(t, c, f.url+"/events"+q)
		return body, rowRe.FindAllStringSubmatch(rows.FindString(body), -1)
	}
	body, rs := get("?org=" + schoolID + "&kind=edit")
	if len(rs) != 50 || !strings.Contains(rs[0][0], "правка № 119") || !strings.Contains(rs[49][0], "правка № 070") {
		t.Fatalf("page 1 of the school: %d rows, want the newest 50 first:\n%.1500s", len(rs), body)
	}
	if !strings.Contains(body, "Показаны 1–50 из 120 событий, страница 1 из 3") || !strings.Contains(body, `rel="next"`) || strings.Contains(body, `rel="prev"`) {
		t.Errorf("page 1 does not say where it is:\n%.2000s", body)
	}
	body, rs = get("?org=" + schoolID + "&kind=edit&page=3")
	if len(rs) != 20 || !strings.Contains(rs[0][0], "правка № 019") || !strings.Contains(rs[19][0], "правка № 000") {
		t.Fatalf("page 3: %d rows:\n%.1500s", len(rs), body)
	}
	if !strings.Contains(body, "Показаны 101–120 из 120 событий") {
		t.Error("page 3 does not say where it is")
	}
	// Times are the region's: the first edit is 06:00 on 2 December in Irkutsk.
	if want := fmt.Sprintf("02.12.%d 06:00", year); rs[19][2] != want {
		t.Errorf("the first edit is shown at %q, want %s (Irkutsk)", rs[19][2], want)
	}
	// By kind: only the state change, in words.
	body, rs = get("?kind=state&to=" + day(31))
	if len(rs) != 1 || rs[0][1] != hostileID || !strings.Contains(rs[0][0], "зарегистрирован → сайт скачан") || !strings.Contains(rs[0][0], "смена состояния") || strings.Contains(rs[0][0], "crawled") {
		t.Errorf("kind=state: %v", rs)
	}
	// By days, in the region's zone: 2 December is the state change (01:30)
	// and the edits up to 23:59, that is all 120 (they end at 07:59).
	if _, rs = get("?from=" + day(2) + "&to=" + day(2)); len(rs) != 50 {
		t.Errorf("2 December: %d rows on page 1, want 50", len(rs))
	}
	body, _ = get(fmt.Sprintf("?from=02.12.%d&to=02.12.%d", year, year))
	if !strings.Contains(body, "из 121 события") {
		t.Errorf("2 December (Irkutsk) holds every event, 121:\n%.1000s", body)
	}
	// 1 December in Irkutsk ends at 16:00 UTC: nothing then.
	if body, rs = get("?from=" + day(1) + "&to=" + day(1)); len(rs) != 0 || !strings.Contains(body, "Событий с такими условиями нет") {
		t.Errorf("up to 1 December (Irkutsk): %d rows", len(rs))
	}
	// Filters combine; a bad date says so.
	if _, rs = get("?org=" + hostileID + "&kind=edit"); len(rs) != 0 {
		t.Errorf("the other site's edits: %d", len(rs))
	}
	if body, _ := get("?from=вчера"); !strings.Contains(body, "Дата «с» не распознана") {
		t.Error("a bad date is not named")
	}
	// The filter's choices: organisations by name, kinds in words.
	body, _ = get("")
	for _, want := range []string{`<option value="` + schoolID + `">МБОУ СОШ № 7</option>`, ">учётные записи операторов<", `<option value="act">акт</option>`, `<option value="import">добавление из реестра</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the filter lacks %s", want)
		}
	}
}

// TestInvitationLogSaysTheRegionsTime: the log's line about a new
// invitation says until when in the region's zone, not the server's.
func TestInvitationLogSaysTheRegionsTime(t *testing.T) {
	t.Parallel()
	f := newBareFixture(t, nil)
	if _, err := f.ws.SetTimeZone("Asia/Irkutsk", "test", "test"); err != nil {
		t.Skip("no zone database:", err)
	}
	_, inv := f.invite(t, schoolID, 24*time.Hour)
	irk, _ := time.LoadLocation("Asia/Irkutsk")
	evs, _ := f.ws.Events(schoolID)
	want := "действует до " + inv.Expires.In(irk).Format("02.01.2006 15:04") + " +08"
	if last := evs[len(evs)-1].Reason; !strings.Contains(last, want) {
		t.Errorf("the log says %q, want %q", last, want)
	}
}

// TestTimesFollowTheWorkspacesZone: times are shown in the zone the
// workspace records, read at each request (perenos config tz handed to a
// running server shows at once), else in the configured one.
func TestTimesFollowTheWorkspacesZone(t *testing.T) {
	t.Parallel()
	f := newBareFixture(t, time.FixedZone("Москва", 3*3600))
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := f.ws.Log(store.Event{Time: at, Actor: "test", Org: schoolID, Kind: store.EventEdit, Reason: "проверка времени"}); err != nil {
		t.Fatal(err)
	}
	c, _ := f.operatorClient(t)
	if body := mustGet(t, c, f.url+"/site/"+schoolID+"/events"); !strings.Contains(body, "01.03.2025 12:00") {
		t.Errorf("without a workspace zone, not in the configured one (12:00):\n%.1500s", body)
	}
	if _, err := f.ws.SetTimeZone("Asia/Irkutsk", "test", "test"); err != nil {
		t.Skip("no zone database:", err)
	}
	if body := mustGet(t, c, f.url+"/site/"+schoolID+"/events"); !strings.Contains(body, "01.03.2025 17:00") {
		t.Errorf("the workspace's new zone does not show at once (17:00 in Irkutsk):\n%.1500s", body)
	}
}

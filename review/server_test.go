package review_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"perenos/mapping"
	"perenos/pipeline"
	"perenos/review"
	"perenos/store"
)

func TestLegacyScriptsRenderInert(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newClient(t)
	if code := c.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("operator login: %d", code)
	}
	plan, err := f.src.Plan(hostileID)
	if err != nil {
		t.Fatal(err)
	}
	key := itemKey(t, plan, "/events.html")
	// With a strict threshold some items are left for a person to place.
	f.src.MapOpts = mapping.Options{Threshold: 0.995}
	if err := f.src.Rebuild(context.Background(), hostileID); err != nil {
		t.Fatal(err)
	}
	if strict, _ := f.src.Plan(hostileID); len(strict.Unplaced) == 0 {
		t.Fatal("no unplaced items even at threshold 0.995")
	}
	for _, id := range []string{hostileID, schoolID} {
		code, body := c.get(f.url + "/site/" + id)
		if code != http.StatusOK {
			t.Fatalf("site view of %s: %d\n%.500s", id, code, body)
		}
		if id == hostileID && (!strings.Contains(body, "Не размещено: выберите раздел") || !strings.Contains(body, "возможные разделы: «")) {
			t.Errorf("unplaced items and their candidates are not shown:\n%.3000s", body)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, f.url+"/site/"+hostileID+"/item?key="+url.QueryEscape(key), nil)
	code, body, hdr := c.do(req)
	if code != http.StatusOK {
		t.Fatalf("item page: %d\n%s", code, body)
	}
	if !strings.Contains(body, "Собрание родителей пятых классов") {
		t.Fatalf("the page's own text is missing:\n%s", body)
	}
	if bad := activeContent(body, 0); len(bad) > 0 {
		t.Errorf("legacy content stays active:\n%s", strings.Join(bad, "\n"))
	}
	if !strings.Contains(body, "Подробнее о собрании") || !strings.Contains(body, "Плакат о собрании") {
		t.Error("the hostile page's harmless text is gone too")
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("no script-restricting CSP: %q", csp)
	}
	if !strings.Contains(body, `sandbox=""`) {
		t.Error("the original page is not in a sandboxed frame")
	}
}

func TestFormPostWithoutCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	link, _ := f.invite(t, schoolID, time.Hour)
	c := newClient(t)
	if code, body := c.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter by invitation: %d\n%s", code, body)
	}
	plan, _ := f.src.Plan(schoolID)
	key := itemKey(t, plan, "/history.html")
	for _, tc := range []struct {
		name  string
		token string
	}{{"missing", ""}, {"wrong", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}} {
		form := url.Values{"key": {key}, "reason": {"не нужно"}}
		if tc.token != "" {
			form.Set("csrf", tc.token)
		}
		code, _, _ := c.post(f.url+"/site/"+schoolID+"/item/exclude", form)
		if code != http.StatusForbidden {
			t.Errorf("%s token: exclude answered %d, want 403", tc.name, code)
		}
		if code, _, _ := c.post(f.url+"/site/"+schoolID+"/approve", form); code != http.StatusForbidden {
			t.Errorf("%s token: approve answered %d, want 403", tc.name, code)
		}
	}
	after, _ := f.src.Plan(schoolID)
	for _, it := range after.Excluded {
		if it.Key == key {
			t.Fatal("a post without the CSRF token excluded an item")
		}
	}
	if o, _ := f.ws.Org(schoolID); o.State != store.Mapped {
		t.Fatalf("a post without the CSRF token changed the state to %s", o.State)
	}
	// The login form needs its token too.
	if code, _, _ := newClient(t).post(f.url+"/login", url.Values{"name": {opName}, "password": {opPass}}); code != http.StatusForbidden {
		t.Errorf("login without a form token answered %d, want 403", code)
	}
	// With the token the same exclusion goes through.
	tok := c.csrf(f.url + "/site/" + schoolID)
	if code, body, _ := c.post(f.url+"/site/"+schoolID+"/item/exclude", url.Values{"csrf": {tok}, "key": {key}, "reason": {"не нужно"}}); code != http.StatusSeeOther {
		t.Fatalf("exclude with token: %d\n%.400s", code, body)
	}
}

func TestAdminCannotReachAnotherOrganisation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	link, _ := f.invite(t, schoolID, time.Hour)
	c := newClient(t)
	if code, _ := c.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	own := c.csrf(f.url + "/site/" + schoolID)
	other, _ := f.src.Plan(hostileID)
	key := url.QueryEscape(itemKey(t, other, "/events.html"))
	for _, u := range []string{
		"/site/" + hostileID,
		"/site/" + hostileID + "/item?key=" + key,
		"/site/" + hostileID + "/events",
		"/site/" + hostileID + "/gap?section=x&item=y",
		"/site/9999999999",
		"/sites",
		"/jobs/x",
		"/report",
	} {
		if code, body := c.get(f.url + u); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404\n%.300s", u, code, body)
		}
	}
	for _, u := range []string{"/site/" + hostileID + "/item/exclude", "/site/" + hostileID + "/item/move", "/site/" + hostileID + "/approve", "/jobs"} {
		code, _, _ := c.post(f.url+u, url.Values{"csrf": {own}, "key": {itemKey(t, other, "/events.html")}, "reason": {"чужое"}, "section": {"other"}, "stage": {"map"}, "org": {hostileID}})
		if code != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", u, code)
		}
	}
	if o, _ := f.ws.Org(hostileID); o.State != store.Mapped {
		t.Fatalf("the other organisation's state moved to %s", o.State)
	}
	code, body := c.get(f.url + "/site/" + schoolID)
	if code != http.StatusOK || !strings.Contains(body, "МБОУ СОШ № 7") || strings.Contains(body, "Озёрной") {
		t.Fatalf("own site: %d, or shows the other organisation", code)
	}
}

func TestExpiredOrRevokedInvitationIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	expiring, _ := f.invite(t, schoolID, time.Hour)
	revoked, inv := f.invite(t, schoolID, 24*time.Hour)

	c := newClient(t)
	if code, _ := c.enter(revoked); code != http.StatusSeeOther {
		t.Fatalf("a fresh invitation is refused: %d", code)
	}
	if n, err := f.ws.RevokeInvitations("operator:test", "", inv.ID); err != nil || n != 1 {
		t.Fatalf("revoke: %d %v", n, err)
	}
	if code, _ := c.get(f.url + "/site/" + schoolID); code != http.StatusSeeOther {
		t.Errorf("the session of a revoked invitation still works: %d", code)
	}
	if code, body := newClient(t).enter(revoked); code != http.StatusForbidden || !strings.Contains(body, "отозвано") {
		t.Errorf("revoked invitation: %d\n%.300s", code, body)
	}

	f.now = f.now.Add(2 * time.Hour)
	if code, body := newClient(t).enter(expiring); code != http.StatusForbidden || !strings.Contains(body, "истёк") {
		t.Errorf("expired invitation: %d\n%.300s", code, body)
	}
	bogus := f.url + "/invite/" + strings.Repeat("x", 43)
	if code, _ := newClient(t).enter(bogus); code != http.StatusForbidden {
		t.Errorf("unknown invitation: %d", code)
	}
	// The token is kept only as a hash.
	invs, _ := f.ws.Invitations(schoolID)
	for _, i := range invs {
		if strings.Contains(expiring, i.TokenHash) || strings.Contains(revoked, i.TokenHash) {
			t.Fatal("an invitation's stored hash equals its token")
		}
	}
}

func TestLoginAttemptsAreRateLimited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if code := newClient(t).login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("correct login: %d", code)
	}
	c := newClient(t)
	for i := range 4 {
		if code := c.login(f.url, opName, "неверный-пароль"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password, attempt %d: %d", i+2, code)
		}
	}
	if code := c.login(f.url, opName, opPass); code != http.StatusTooManyRequests {
		t.Fatalf("sixth attempt within a minute: %d, want 429", code)
	}
	f.now = f.now.Add(time.Minute)
	if code := c.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("after a minute: %d", code)
	}
}

func TestDecisionsAreLoggedAndSurviveRemap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	link, _ := f.invite(t, schoolID, time.Hour)
	c := newClient(t)
	if code, _ := c.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	plan, _ := f.src.Plan(schoolID)
	moved, dropped := itemKey(t, plan, "/history.html"), itemKey(t, plan, "/contacts.html")
	tok := c.csrf(f.url + "/site/" + schoolID)
	for _, form := range []url.Values{
		{"csrf": {tok}, "key": {moved}, "section": {"other"}},
		{"csrf": {tok}, "key": {dropped}, "reason": {"контакты заполним на портале"}},
	} {
		action := "move"
		if form.Has("reason") {
			action = "exclude"
		}
		if code, body, _ := c.post(f.url+"/site/"+schoolID+"/item/"+action, form); code != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%.400s", action, code, body)
		}
	}
	if code, _, _ := c.post(f.url+"/site/"+schoolID+"/item/exclude", url.Values{"csrf": {tok}, "key": {moved}, "reason": {"  "}}); code != http.StatusBadRequest {
		t.Errorf("exclusion without a reason: %d, want 400", code)
	}
	check := func(when string) {
		p, err := f.src.Plan(schoolID)
		if err != nil {
			t.Fatal(err)
		}
		if it, _ := find(p, moved); it != "other" {
			t.Errorf("%s: moved item is in %q", when, it)
		}
		if it, _ := find(p, dropped); it != "excluded" {
			t.Errorf("%s: excluded item is in %q", when, it)
		}
	}
	check("after review")
	o, _ := f.ws.Org(schoolID)
	if o.State != store.InReview {
		t.Errorf("state after the first decision: %s", o.State)
	}
	r := &pipeline.Runner{WS: f.ws, Actor: "test"}
	if res := r.Run(context.Background(), []*store.Org{o}, pipeline.Map{Profiles: f.src.Profiles}); res.Failed > 0 {
		t.Fatalf("re-map: %+v", res.Outcomes)
	}
	check("after a re-map")
	// Edit a title and body, then restore the moved item to where mapping put it.
	home, _ := find(plan, moved)
	tok = c.csrf(f.url + "/site/" + schoolID + "/item?key=" + url.QueryEscape(moved))
	if code, _, _ := c.post(f.url+"/site/"+schoolID+"/item/edit", url.Values{"csrf": {tok}, "key": {dropped}, "title": {"Контакты (старые)"}, "body": {"Телефон: уточняется"}}); code != http.StatusSeeOther {
		t.Fatalf("edit: %d", code)
	}
	if code, _, _ := c.post(f.url+"/site/"+schoolID+"/item/restore", url.Values{"csrf": {tok}, "key": {moved}}); code != http.StatusSeeOther {
		t.Fatalf("restore: %d", code)
	}
	p, _ := f.src.Plan(schoolID)
	if where, _ := find(p, moved); where != home {
		t.Errorf("restored item is in %q, mapping put it in %q", where, home)
	}
	for _, it := range p.Excluded {
		if it.Key == dropped && (it.Title != "Контакты (старые)" || it.Body != "Телефон: уточняется" || !it.Edited) {
			t.Errorf("edit not applied: %+v", it)
		}
	}
	evs, _ := f.ws.Events(schoolID)
	var log strings.Builder
	for _, ev := range evs {
		log.WriteString(ev.Actor + ": " + ev.Reason + "\n")
	}
	for _, want := range []string{"admin:" + schoolID, "перемещено в раздел", "исключено: контакты заполним на портале", "изменён заголовок", "восстановлено как было"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("event log lacks %q:\n%s", want, log.String())
		}
	}
}

// find says where the item with key is: a section ID, "unplaced" or "excluded".
func find(p *mapping.Plan, key string) (string, bool) {
	for _, s := range p.Sections {
		for _, it := range s.Items {
			if it.Key == key {
				return s.ID, true
			}
		}
	}
	for _, it := range p.Unplaced {
		if it.Key == key {
			return "unplaced", true
		}
	}
	for _, it := range p.Excluded {
		if it.Key == key {
			return "excluded", true
		}
	}
	return "", false
}

// activeContent lists what in an HTML page could run: script elements
// other than the UI's own, event-handler attributes, javascript: URLs,
// and the same inside srcdoc frames.
func activeContent(page string, depth int) []string {
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		return []string{err.Error()}
	}
	var bad []string
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if n.Data == "script" {
			src := ""
			for _, a := range n.Attr {
				if a.Key == "src" {
					src = a.Val
				}
			}
			if depth > 0 || src != "/static/app.js" && src != "/static/editor.js" {
				bad = append(bad, fmt.Sprintf("<script src=%q> at depth %d", src, depth))
			}
		}
		for _, a := range n.Attr {
			key, val := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(key, "on"):
				bad = append(bad, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
			case strings.Contains(val, "javascript:") && key != "srcdoc" && key != "value" && key != "title":
				bad = append(bad, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
			case key == "srcdoc":
				bad = append(bad, activeContent(a.Val, depth+1)...)
			}
		}
	}
	return bad
}

func TestGapIsFilledWithAnUploadedDocument(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	link, _ := f.invite(t, hostileID, time.Hour)
	c := newClient(t)
	if code, _ := c.enter(link); code != http.StatusSeeOther {
		t.Fatalf("enter: %d", code)
	}
	plan, _ := f.src.Plan(hostileID)
	if len(plan.Gaps) == 0 {
		t.Fatal("the fixture site has no gaps")
	}
	g := plan.Gaps[0]
	gapURL := f.url + "/site/" + hostileID + "/gap?section=" + url.QueryEscape(g.Section) + "&item=" + url.QueryEscape(g.Item)
	tok := c.csrf(gapURL)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": tok, "section": g.Section, "item": g.Item, "title": "Устав школы (скан)"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", `C:\Documents\устав.pdf`)
	fw.Write([]byte("%PDF-1.4 устав школы, придуманный для теста"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, f.url+"/site/"+hostileID+"/gap", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if code, resp, _ := c.do(req); code != http.StatusSeeOther {
		t.Fatalf("fill gap: %d\n%.500s", code, resp)
	}
	after, _ := f.src.Plan(hostileID)
	for _, left := range after.Gaps {
		if left == g {
			t.Fatalf("gap %+v is still open", g)
		}
	}
	sp := after.Section(g.Section)
	var found bool
	for _, it := range sp.Items {
		if it.Title == "Устав школы (скан)" && it.FileName == "устав.pdf" && it.Blob != "" && it.Kind == mapping.KindDocument {
			found = true
		}
	}
	if !found {
		t.Fatalf("the uploaded document is not in section %s: %+v", g.Section, sp.Items)
	}
	// It stays through a re-map, by the UI's rebuild and by the map stage.
	o, _ := f.ws.Org(hostileID)
	if err := f.src.Rebuild(context.Background(), o.ID); err != nil {
		t.Fatal(err)
	}
	again, _ := f.src.Plan(hostileID)
	if len(again.Gaps) != len(after.Gaps) {
		t.Fatalf("gaps after rebuild: %d, before %d", len(again.Gaps), len(after.Gaps))
	}
	profiles, _ := mapping.LoadProfiles("")
	r := &pipeline.Runner{WS: f.ws, Actor: "test"}
	if res := r.Run(context.Background(), []*store.Org{o}, pipeline.Map{Profiles: profiles}); res.Failed > 0 {
		t.Fatalf("re-map: %+v", res.Outcomes)
	}
	remapped, _ := f.src.Plan(hostileID)
	kept := false
	for _, it := range remapped.Section(g.Section).Items {
		kept = kept || it.Title == "Устав школы (скан)"
	}
	if !kept || len(remapped.Gaps) != len(after.Gaps) {
		t.Fatalf("perenos map lost the content filled in review (kept %v, gaps %d, want %d)", kept, len(remapped.Gaps), len(after.Gaps))
	}
}

func TestOperatorStartsAJobAndWatchesIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := newClient(t)
	if code := c.login(f.url, opName, opPass); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	if code, body := c.get(f.url + "/report"); code != http.StatusOK || !strings.Contains(body, "Отчёт координатора") {
		t.Fatalf("the operator's report: %d %.300s", code, body)
	}
	code, list := c.get(f.url + "/sites?district=" + url.QueryEscape("Слюдянский"))
	if code != http.StatusOK || !strings.Contains(list, "Озёрной") || strings.Contains(list, "МБОУ СОШ № 7") {
		t.Fatalf("district filter: %d\n%.2000s", code, list)
	}
	tok := c.csrf(f.url + "/sites")
	code, _, hdr := c.post(f.url+"/jobs", url.Values{"csrf": {tok}, "stage": {"map"}, "org": {hostileID}})
	if code != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/jobs/") {
		t.Fatalf("start job: %d %v", code, hdr)
	}
	deadline := time.Now().Add(10 * time.Second)
	var page string
	for time.Now().Before(deadline) {
		_, page = c.get(f.url + hdr.Get("Location"))
		if strings.Contains(page, "Завершено") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(page, "Завершено") || !strings.Contains(page, "разметка "+hostileID+": ") || !strings.Contains(page, "готово: сайтов 1, с ошибкой 0") {
		t.Fatalf("job page:\n%s", page)
	}
	evs, _ := f.ws.Events(hostileID)
	if last := evs[len(evs)-1]; last.Actor != "operator:"+opName || last.To != string(store.Mapped) {
		t.Fatalf("the job's transition is not logged with its operator: %+v", last)
	}
}

func TestWorksheetAndCookies(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	link, _ := f.invite(t, hostileID, time.Hour)
	c := newClient(t)
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	code, body, hdr := c.do(req)
	if code != http.StatusOK {
		t.Fatalf("invitation page: %d", code)
	}
	if ref := hdr.Get("Referrer-Policy"); ref != "no-referrer" {
		t.Errorf("an invitation page may leak its link through Referer: %q", ref)
	}
	tok := csrfRe.FindStringSubmatch(body)[1]
	u, _ := url.Parse(link)
	code, _, hdr = c.post(f.url+"/invite", url.Values{"csrf": {tok}, "token": {strings.TrimPrefix(u.Path, "/invite/")}})
	if code != http.StatusSeeOther {
		t.Fatalf("accept: %d", code)
	}
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: hdr}).Cookies() {
		if ck.Name == "perenos_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
		t.Fatalf("session cookie over http: %+v", session)
	}
	plan, _ := f.src.Plan(hostileID)
	code, sheet := c.get(f.url + "/site/" + hostileID + "/worksheet?format=csv")
	if code != http.StatusOK || !strings.Contains(sheet, "Что отсутствует") || strings.Count(sheet, "\n") != len(plan.Gaps)+1 {
		t.Fatalf("worksheet: %d, %d gaps\n%s", code, len(plan.Gaps), sheet)
	}
	if code, _ := c.get(f.url + "/site/" + schoolID + "/worksheet"); code != http.StatusNotFound {
		t.Fatalf("another organisation's worksheet: %d", code)
	}

	// Behind https every cookie is Secure.
	srv, err := review.NewServer(context.Background(), review.Config{WS: f.ws, Backend: f.src, PublicURL: "https://review.example.ru", SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "https://review.example.ru/login", nil))
	cks := rec.Result().Cookies()
	if len(cks) == 0 || !cks[0].Secure || !cks[0].HttpOnly {
		t.Fatalf("form cookie behind https: %+v", cks)
	}
}

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"perenos/report"
	"perenos/report/binding"
	"perenos/review"
	"perenos/review/browsertest"
	"perenos/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Close()
	os.Exit(code)
}

const (
	webOrg  = "3801012345"
	webUser = "оператор"
	webPass = "пароль-оператора-2026"
)

// servedVerifiedSite is the demo school verified, in the Irkutsk zone, with
// an operator account, held by perenos serve; it returns the workspace and
// the web UI's address.
func servedVerifiedSite(t *testing.T) (home, base string) {
	t.Helper()
	home, _, _ = verifiedSite(t)
	if _, stderr, code := perenosCLI(t, home, "config", "tz", "Asia/Irkutsk"); code != ExitOK {
		t.Fatalf("config tz: %s", stderr)
	}
	if _, stderr, code := perenosCLIIn(t, home, webPass+"\n", "users", "add", webUser, "--password-stdin"); code != ExitOK {
		t.Fatalf("users add: %s", stderr)
	}
	return home, "http://" + startServe(t, home)
}

// webClient is a browser-like HTTP client of the web UI that does not
// follow redirects.
type webClient struct {
	t  *testing.T
	hc *http.Client
}

func newWebClient(t *testing.T) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t, &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *webClient) do(req *http.Request) (int, string, http.Header) {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header
}

func (c *webClient) get(u string) (int, string, http.Header) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return c.do(req)
}

func (c *webClient) post(u string, form url.Values) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, body, _ := c.do(req)
	return code, body
}

// postFile posts a multipart form with one file, as the signing form does.
func (c *webClient) postFile(u string, form url.Values, field string, data []byte) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, "scan.pdf")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	code, body, _ := c.do(req)
	return code, body
}

var webCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token returns the form token of the page at u.
func (c *webClient) token(u string) string {
	c.t.Helper()
	code, body, _ := c.get(u)
	m := webCSRF.FindStringSubmatch(body)
	if code != http.StatusOK || m == nil {
		c.t.Fatalf("GET %s: %d, no form token:\n%.500s", u, code, body)
	}
	return m[1]
}

// login logs in as the operator and returns the session's form token.
func (c *webClient) login(base string) string {
	c.t.Helper()
	if code, _ := c.post(base+"/login", url.Values{"csrf": {c.token(base + "/login")}, "name": {webUser}, "password": {webPass}}); code != http.StatusSeeOther {
		c.t.Fatalf("operator login: %d", code)
	}
	return c.token(base + "/users")
}

// actJSON is what perenos act show --json says of an act.
type actJSON struct {
	Number    string `json:"number"`
	Version   int    `json:"version"`
	PDF       string `json:"pdf"`
	Signature *struct {
		SignedBy   string `json:"signed_by"`
		Date       string `json:"date"`
		ScanSHA256 string `json:"scan_sha256"`
	} `json:"signature"`
	VoidedSignatures []struct {
		Reason string `json:"reason"`
	} `json:"voided_signatures"`
	Void *struct {
		Reason string `json:"reason"`
	} `json:"void"`
}

func actsOf(t *testing.T, home string) []actJSON {
	t.Helper()
	out, stderr, code := perenosCLI(t, home, "act", "show", webOrg, "--json")
	if code != ExitOK {
		t.Fatalf("act show: %d %s", code, stderr)
	}
	var acts []actJSON
	if err := json.Unmarshal([]byte(out), &acts); err != nil {
		t.Fatalf("act show --json: %v\n%s", err, out)
	}
	return acts
}

func stateOf(t *testing.T, home string) store.State {
	t.Helper()
	out, stderr, code := perenosCLI(t, home, "orgs", "show", webOrg, "--json")
	if code != ExitOK {
		t.Fatalf("orgs show: %d %s", code, stderr)
	}
	var o struct {
		Org struct {
			State store.State `json:"state"`
		} `json:"org"`
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil || o.Org.State == "" {
		t.Fatalf("orgs show --json: %v\n%s", err, out)
	}
	return o.Org.State
}

// TestOperatorSignsAnActInTheWebUI is perenos act issue and act sign as
// the operator does them in the browser, while perenos serve holds the
// workspace: issue the verified site's act, download its PDF through the
// server, upload it as the signed scan, and see the act signed, in the
// page, in the ledger and in the log.
func TestOperatorSignsAnActInTheWebUI(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, base := servedVerifiedSite(t)
	ctx := browsertest.Tab(t)
	browsertest.Do(t, ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, webUser), chromedp.SendKeys(`input[name="password"]`, webPass),
		chromedp.Click(`form[action="/login"] button`))
	browsertest.WaitText(t, ctx, "main", "Сайты региона")
	browsertest.Do(t, ctx, chromedp.Navigate(base+"/site/"+webOrg))
	browsertest.Do(t, ctx, chromedp.WaitVisible("#acts-link"), chromedp.Click("#acts-link"))
	browsertest.WaitText(t, ctx, "h1", "Акты о завершении миграции")
	browsertest.WaitText(t, ctx, "#site-state", "проверено на портале")
	browsertest.WaitText(t, ctx, "#issue-form", "можно выдать акт")
	browsertest.CheckA11y(t, ctx, "the acts page of a verified site")
	browsertest.Screenshot(t, ctx, "acts-verified")

	browsertest.Do(t, ctx, chromedp.Click("#issue-act"))
	browsertest.WaitText(t, ctx, ".flash", "Акт выдан")
	browsertest.WaitText(t, ctx, "#act-1 h2", "Акт № 38-0001, версия 1 — выдан, не подписан")
	browsertest.WaitText(t, ctx, "#act-1", "Asia/Irkutsk, UTC+08:00")
	browsertest.WaitText(t, ctx, "#site-state", "акт выдан")
	today := time.Now().In(mustZone(t, "Asia/Irkutsk")).Format("2006-01-02")
	if v, _ := browsertest.Value(ctx, "#sign-date"); v != today {
		t.Errorf("the signing date field starts at %q, want today in the act's zone, %s", v, today)
	}
	browsertest.CheckA11y(t, ctx, "the acts page with an issued act")
	browsertest.Screenshot(t, ctx, "acts-issued")

	// The PDF comes through the server, as the page's link gives it.
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#act-1 a.act-pdf").href`))
	if err != nil {
		t.Fatal(err)
	}
	c := newWebClient(t)
	c.login(base)
	code, pdf, hdr := c.get(href)
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf, "%PDF-") || !strings.Contains(hdr.Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET %s: %d %v %.20q", href, code, hdr, pdf)
	}
	acts := actsOf(t, home)
	if onDisk, err := os.ReadFile(filepath.Join(home, acts[0].PDF)); err != nil || !bytes.Equal(onDisk, []byte(pdf)) {
		t.Fatalf("the download is not the act's PDF: %v", err)
	}
	if code, _, _ := newWebClient(t).get(href); code != http.StatusSeeOther {
		t.Errorf("the PDF is given to a stranger: %d", code)
	}
	scan := filepath.Join(t.TempDir(), "подписанный акт.pdf")
	os.WriteFile(scan, []byte(pdf), 0o644)

	// Sign with the scan.
	browsertest.Do(t, ctx, chromedp.SendKeys("#signed-by", "Иванова А. П., директор"), chromedp.SetUploadFiles("#sign-scan", []string{scan}), chromedp.Click("#sign-act"))
	browsertest.WaitText(t, ctx, ".flash", "Подписание записано")
	browsertest.WaitText(t, ctx, "#act-1 h2", "— подписан")
	browsertest.WaitText(t, ctx, "#act-1 .signature", "Подписал Иванова А. П., директор "+time.Now().In(mustZone(t, "Asia/Irkutsk")).Format("02.01.2006"))
	browsertest.WaitText(t, ctx, "#site-state", "акт подписан")
	sum := sha256.Sum256([]byte(pdf))
	browsertest.WaitText(t, ctx, "#act-1 .signature", hex.EncodeToString(sum[:]))
	browsertest.WaitText(t, ctx, "#unsign-form", "Ошибочная запись о подписании")
	browsertest.CheckA11y(t, ctx, "the acts page with a signed act")
	browsertest.Screenshot(t, ctx, "acts-signed")

	acts = actsOf(t, home)
	if len(acts) != 1 || acts[0].Signature == nil || acts[0].Signature.ScanSHA256 != hex.EncodeToString(sum[:]) ||
		acts[0].Signature.SignedBy != "Иванова А. П., директор" || acts[0].Signature.Date != today {
		t.Fatalf("the ledger's act: %+v", acts)
	}
	if st := stateOf(t, home); st != store.ActSigned {
		t.Fatalf("state %s, want act_signed", st)
	}
	// The kept scan comes back through the server.
	scanHref, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#act-1 .signature a").href`))
	if code, got, _ := c.get(scanHref); code != http.StatusOK || got != pdf {
		t.Errorf("GET %s: %d, not the uploaded scan", scanHref, code)
	}
	// The region's log tells it, in Russian.
	browsertest.Do(t, ctx, chromedp.Navigate(base+"/events?org="+webOrg+"&kind=state"))
	browsertest.WaitText(t, ctx, "#events tbody tr:first-child", "акт выдан → акт подписан")
	browsertest.WaitText(t, ctx, "#events tbody tr:nth-child(2)", "проверено на портале → акт выдан")
	browsertest.WaitText(t, ctx, "#events tbody tr:first-child", "оператор "+webUser)
	browsertest.CheckA11y(t, ctx, "the region's log")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skip("no zone database:", err)
	}
	return loc
}

// TestActPagesAreTheOperatorsAndFollowTheActRules: an organisation's admin
// finds none of the act pages and files (404) and none of their forms
// does anything; every act form needs its token; and the pages refuse in
// Russian what perenos act refuses (a file that is no scan, a date before
// the act or in the future, a short reason), void an act so that the next
// has a new number, and void a signing record so that the act is signed
// again, keeping the voided one's scan.
func TestActPagesAreTheOperatorsAndFollowTheActRules(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home, base := servedVerifiedSite(t)
	acts := base + "/site/" + webOrg + "/acts"
	op := newWebClient(t)
	tok := op.login(base)

	// Without the token, or with another, nothing happens.
	for _, p := range []string{"/issue", "/unsign", "/void"} {
		for _, bad := range []url.Values{{}, {"csrf": {strings.Repeat("A", len(tok))}}} {
			bad.Set("reason", "причина длиннее десяти символов")
			if code, body := op.post(acts+p, bad); code != http.StatusForbidden || !strings.Contains(body, "Форма устарела") {
				t.Errorf("POST %s without its token: %d", p, code)
			}
		}
	}
	if st := stateOf(t, home); st != store.Verified {
		t.Fatalf("a post without the token moved the site to %s", st)
	}
	if code, _ := op.post(acts+"/issue", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("issue: %d", code)
	}
	_, pdf, _ := op.get(acts + "/1/pdf")

	// The admin of this very organisation gets 404 everywhere.
	out, stderr, code := perenosCLI(t, home, "invite", webOrg, "--public-url", base)
	if code != ExitOK {
		t.Fatalf("invite: %d %s", code, stderr)
	}
	link := regexp.MustCompile(`http://\S+/invite/\S+`).FindString(out)
	admin := newWebClient(t)
	_, _, _ = admin.get(link)
	u, _ := url.Parse(link)
	if code, _ := admin.post(base+"/invite", url.Values{"csrf": {admin.token(link)}, "token": {strings.TrimPrefix(u.Path, "/invite/")}}); code != http.StatusSeeOther {
		t.Fatalf("the admin enters: %d", code)
	}
	own := admin.token(base + "/site/" + webOrg)
	for _, p := range []string{"", "/1/pdf", "/1/manifest", "/1/scan"} {
		if code, _, _ := admin.get(acts + p); code != http.StatusNotFound {
			t.Errorf("the admin's GET %s: %d, want 404", acts+p, code)
		}
	}
	for _, p := range []string{"/issue", "/unsign", "/void"} {
		if code, _ := admin.post(acts+p, url.Values{"csrf": {own}, "reason": {"администратор не может аннулировать"}}); code != http.StatusNotFound {
			t.Errorf("the admin's POST %s: %d, want 404", p, code)
		}
	}
	if code, _ := admin.postFile(acts+"/sign", url.Values{"csrf": {own}, "signed_by": {"кто-то"}, "date": {time.Now().Format("2006-01-02")}}, "scan", []byte(pdf)); code != http.StatusNotFound {
		t.Errorf("the admin's POST sign: %d, want 404", code)
	}
	if code, body, _ := admin.get(base + "/site/" + webOrg); code != http.StatusOK || strings.Contains(body, `id="acts-link"`) {
		t.Errorf("the admin's own site page: %d, or it offers the acts", code)
	}
	if got := actsOf(t, home); len(got) != 1 || got[0].Signature != nil || got[0].Void != nil {
		t.Fatalf("the admin's posts changed the act: %+v", got)
	}

	// Signing: the page refuses what act sign refuses, in Russian.
	today := time.Now().In(mustZone(t, "Asia/Irkutsk"))
	sign := func(date string, scan []byte) (int, string) {
		return op.postFile(acts+"/sign", url.Values{"csrf": {tok}, "signed_by": {"Иванова А. П."}, "date": {date}}, "scan", scan)
	}
	junk := bytes.Repeat([]byte("не скан "), 300)
	for _, tc := range []struct {
		name, date string
		scan       []byte
		code       int
		want       string
	}{
		{"no token", "", nil, http.StatusForbidden, "Форма устарела"},
		{"a text file", today.Format("2006-01-02"), junk, http.StatusConflict, "не подходит как скан"},
		{"a broken PDF", today.Format("2006-01-02"), append([]byte("%PDF-1.4\n"), junk...), http.StatusConflict, "не подходит как скан"},
		{"tomorrow", today.AddDate(0, 0, 1).Format("2006-01-02"), []byte(pdf), http.StatusBadRequest, "ещё не наступила"},
		{"before the act", today.AddDate(0, 0, -1).Format("2006-01-02"), []byte(pdf), http.StatusBadRequest, "раньше дня, когда акт выдан"},
		{"no date", "вчера", []byte(pdf), http.StatusBadRequest, "Укажите дату"},
	} {
		var code int
		var body string
		if tc.name == "no token" {
			code, body = op.postFile(acts+"/sign", url.Values{"signed_by": {"Иванова А. П."}, "date": {today.Format("2006-01-02")}}, "scan", []byte(pdf))
		} else {
			code, body = sign(tc.date, tc.scan)
		}
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("sign with %s: %d, want %d and «%s»\n%.400s", tc.name, code, tc.code, tc.want, body)
		}
	}
	if st := stateOf(t, home); st != store.ActIssued {
		t.Fatalf("refused signings moved the site to %s", st)
	}

	// Void: a reason of 10 characters or more; then the next act has a new number.
	if code, body := op.post(acts+"/void", url.Values{"csrf": {tok}, "reason": {"ошибка"}}); code != http.StatusBadRequest || !strings.Contains(body, "не меньше 10 символов") {
		t.Errorf("void with a short reason: %d", code)
	}
	if code, _ := op.post(acts+"/void", url.Values{"csrf": {tok}, "reason": {"в акте не те даты переноса"}}); code != http.StatusSeeOther {
		t.Fatalf("void: %d", code)
	}
	if st := stateOf(t, home); st != store.Verified {
		t.Fatalf("after the void the site is %s, want verified", st)
	}
	if code, _ := op.post(acts+"/issue", url.Values{"csrf": {tok}}); code != http.StatusSeeOther {
		t.Fatalf("issue again: %d", code)
	}
	_, page, _ := op.get(acts)
	page = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(page, "")
	for _, want := range []string{"Акт № 38-0002, версия 1 — выдан, не подписан", "Выдан взамен аннулированного акта № 38-0001, версия 1", "Акт № 38-0001, версия 1 — аннулирован", "в акте не те даты переноса"} {
		if !strings.Contains(page, want) {
			t.Errorf("the acts page does not say «%s»", want)
		}
	}

	// A signing record made by mistake is voided; the act is signed again.
	_, pdf2, _ := op.get(acts + "/2/pdf")
	if code, body := sign(today.Format("2006-01-02"), []byte(pdf2)); code != http.StatusSeeOther {
		t.Fatalf("sign the new act: %d\n%.500s", code, body)
	}
	if code, body := op.post(acts+"/void", url.Values{"csrf": {tok}, "reason": {"подписанный акт так не аннулируют"}}); code != http.StatusConflict || !strings.Contains(body, "Акт подписан") {
		t.Errorf("void a signed act: %d", code)
	}
	if code, _ := op.post(acts+"/unsign", url.Values{"csrf": {tok}, "reason": {"приложен скан другого акта"}}); code != http.StatusSeeOther {
		t.Fatalf("unsign: %d", code)
	}
	if st := stateOf(t, home); st != store.ActIssued {
		t.Fatalf("after unsign the site is %s, want act_issued", st)
	}
	if code, body := sign(today.Format("2006-01-02"), []byte(pdf2)); code != http.StatusSeeOther {
		t.Fatalf("sign again: %d\n%.500s", code, body)
	}
	got := actsOf(t, home)
	if len(got) != 2 || got[1].Signature == nil || len(got[1].VoidedSignatures) != 1 || got[1].VoidedSignatures[0].Reason != "приложен скан другого акта" || got[0].Void == nil {
		t.Fatalf("the ledger's acts: %+v", got)
	}
	if code, prior, _ := op.get(acts + "/2/scan?signature=1"); code != http.StatusOK || prior != pdf2 {
		t.Errorf("the voided record's scan: %d", code)
	}
	for _, p := range []string{"/3/pdf", "/2/scan?signature=2", "/0/pdf", "/1/scan", "/2/report", "/x/pdf"} {
		if code, _, _ := op.get(acts + p); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, code)
		}
	}
}

// TestReviewKnowsTheEventsAndRulesOfReport: review, which may not import
// report, names report's event kinds and act rules by the same values.
func TestReviewKnowsTheEventsAndRulesOfReport(t *testing.T) {
	for _, tc := range []struct{ review, report string }{
		{string(review.EventAct), string(report.EventAct)},
		{string(review.EventRollback), string(report.EventRollback)},
		{string(review.EventDomain), string(binding.EventKind)},
		{review.ActVoidedTo, report.ActVoided},
		{review.SignatureVoidedTo, report.SignatureVoided},
		{review.DomainBoundTo, binding.Bound},
	} {
		if tc.review != tc.report {
			t.Errorf("review says %q where report says %q", tc.review, tc.report)
		}
	}
	if review.MinActReason != report.MinReason {
		t.Errorf("review asks for reasons of %d characters, report of %d", review.MinActReason, report.MinReason)
	}
	for _, k := range []store.EventKind{report.EventAct, report.EventRollback, binding.EventKind} {
		if review.EventKindName(k) == review.EventKindName("no such kind") {
			t.Errorf("the web UI has no name for report's event kind %q", k)
		}
	}
}

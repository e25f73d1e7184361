package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"perenos/crawler"
	"perenos/mapping"
	"perenos/store"
)

// schoolPages is a small school site written for these tests.
var schoolPages = map[string]string{
	"/": `<html><head><title>Школа № 5</title></head><body><nav><a href="/sveden/">Сведения</a> <a href="/news.html">Новости</a> <a href="/club.html">Кружки</a></nav>
<main><h1>Добро пожаловать</h1><p>Муниципальная общеобразовательная школа № 5 города.</p></main></body></html>`,
	"/sveden/": `<html><head><title>Сведения об образовательной организации</title></head><body><nav><a href="/sveden/">Сведения</a> <a href="/news.html">Новости</a> <a href="/club.html">Кружки</a></nav>
<main><h1>Сведения об образовательной организации</h1><ul><li><a href="/sveden/common.html">Основные сведения</a></li></ul></main></body></html>`,
	"/sveden/common.html": `<html><head><title>Основные сведения</title></head><body><nav><a href="/sveden/">Сведения</a> <a href="/news.html">Новости</a> <a href="/club.html">Кружки</a></nav>
<main><h1>Основные сведения</h1><p>Полное наименование: МБОУ СОШ № 5. Дата создания: 1965. Учредитель: администрация района. Адрес: ул. Ленина, 1.</p></main></body></html>`,
	"/news.html": `<html><head><title>Новости</title></head><body><nav><a href="/sveden/">Сведения</a> <a href="/news.html">Новости</a> <a href="/club.html">Кружки</a></nav>
<main><h1>Новости</h1><p>Линейка 1 сентября прошла во дворе школы.</p></main></body></html>`,
	"/club.html": `<html><head><title>Кружки</title></head><body><nav><a href="/sveden/">Сведения</a> <a href="/news.html">Новости</a> <a href="/club.html">Кружки</a></nav>
<main><h1>Кружки и секции</h1><p>Шахматы по средам, хор по пятницам, футбол по субботам.</p></main></body></html>`,
}

// serveSchool serves schoolPages; each request first waits for gate, when given.
func serveSchool(t *testing.T, gate <-chan struct{}) string {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		body, ok := schoolPages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}))
	t.Cleanup(hs.Close)
	return hs.URL + "/"
}

func newSchool(t *testing.T, legacy string) (*store.Workspace, *store.Org) {
	t.Helper()
	ws := store.TestStore(t)
	if _, err := ws.UpsertOrg("test", store.Org{ID: "3801000005", Name: "МБОУ СОШ № 5", Type: store.School, LegacyURL: legacy, PortalSite: "sh5"}); err != nil {
		t.Fatal(err)
	}
	o, err := ws.Org("3801000005")
	if err != nil {
		t.Fatal(err)
	}
	return ws, o
}

func testCrawl() Crawl {
	return Crawl{Options: crawler.Options{Net: crawler.NetOptions{AllowPrivate: true}, Delay: time.Millisecond}}
}

func profiles(t *testing.T) mapping.Profiles {
	t.Helper()
	p, err := mapping.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunMovesASiteThroughItsSteps(t *testing.T) {
	ws, o := newSchool(t, serveSchool(t, nil))
	r := &Runner{WS: ws, Actor: "test"}
	res := r.Run(context.Background(), []*store.Org{o}, RunSteps(testCrawl(), Map{Profiles: profiles(t)})...)
	if res.Failed+res.Skipped != 0 {
		t.Fatalf("outcomes: %+v", res.Outcomes)
	}
	out := res.Outcomes[0]
	if out.State != store.Mapped || out.Stage != store.StageMap {
		t.Fatalf("ended at %s (%s), want mapped", out.State, out.Stage)
	}
	if out.Crawl == nil || out.Crawl.Pages != int64(len(schoolPages)) || out.Extract == nil || out.Extract.Documents != len(schoolPages) || out.Map == nil {
		t.Fatalf("typed counts: crawl %+v extract %+v map %+v", out.Crawl, out.Extract, out.Map)
	}
	now, _ := ws.Org(o.ID)
	if now.Stats.Pages != int64(len(schoolPages)) || !now.Stats.Planned {
		t.Errorf("organisation stats: %+v", now.Stats)
	}
	if st, err := crawler.LastStats.Get(ws, o.ID, "last"); err != nil || st.Pages != int64(len(schoolPages)) {
		t.Errorf("crawl stats record: %+v %v", st, err)
	}
	// A site in the wrong state is skipped with the reason, not failed.
	res = r.Run(context.Background(), []*store.Org{now}, Upload{})
	if res.Skipped != 1 || res.Outcomes[0].Skip.Reason != SkipNotReady {
		t.Errorf("upload of a mapped site: %+v", res.Outcomes[0])
	}
}

// An approval without review records its decisions, so that a later
// rebuild of the plan (a review edit, a gap filled, a re-map) keeps every
// item where the approval put it. Before, the rebuilt plan sent them back
// to review (or to the classifier's choice) and the upload quietly
// dropped or moved them.
func TestAutomaticApprovalSurvivesARebuild(t *testing.T) {
	ws, o := newSchool(t, serveSchool(t, nil))
	r := &Runner{WS: ws, Actor: "test"}
	m := Map{Profiles: profiles(t)}
	ctx := context.Background()
	if res := r.Run(ctx, []*store.Org{o}, RunSteps(testCrawl(), m)...); res.Failed > 0 {
		t.Fatalf("%+v", res.Outcomes)
	}
	// Leave the clubs page for review with a candidate the classifier
	// would not choose, as a conflict between two sections would.
	plan, _ := mapping.LoadPlan(ws, o.ID)
	var club mapping.Item
	for si := range plan.Sections {
		items := plan.Sections[si].Items
		for i := range items {
			if strings.HasSuffix(items[i].SourceURL, "/club.html") {
				club = items[i]
				plan.Sections[si].Items = append(items[:i:i], items[i+1:]...)
				break
			}
		}
	}
	if club.Key == "" {
		t.Fatal("the clubs page is not in the plan")
	}
	const chosen = "sveden/paid_edu"
	club.Candidates = []mapping.Candidate{{Section: chosen, Confidence: 0.55, Reasons: []string{"тест"}}}
	plan.Unplaced = append(plan.Unplaced, club)
	if err := ws.Update(mapping.SavePlan(plan)); err != nil {
		t.Fatal(err)
	}
	res := r.Run(ctx, []*store.Org{o}, ApproveSteps(Approval{Note: "одобрено без проверки", WithGaps: true})...)
	if res.Failed+res.Skipped > 0 || res.Outcomes[0].State != store.Approved || res.Outcomes[0].Review.Accepted != 1 {
		t.Fatalf("approve: %+v", res.Outcomes[0])
	}
	in := func(p *mapping.Plan) string {
		for _, s := range p.Sections {
			for _, it := range s.Items {
				if it.Key == club.Key {
					return s.ID
				}
			}
		}
		return ""
	}
	approved, _ := mapping.LoadPlan(ws, o.ID)
	if got := in(approved); got != chosen {
		t.Fatalf("after approval the clubs page is in %q, want %q", got, chosen)
	}
	// A rebuild, as the review UI makes after any decision.
	_, commit, err := mapping.RebuildPlan(ctx, ws, ws.Blobs, m.Profiles, m.Options, nil, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Update(commit); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := mapping.LoadPlan(ws, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := in(rebuilt); got != chosen {
		t.Fatalf("after a rebuild the clubs page is in %q; the approval put it in %q", got, chosen)
	}
	ovs, _ := mapping.LoadOverrides(ws, o.ID)
	if len(ovs) != 1 || ovs[0].Actor != "test" || ovs[0].Note == "" || ovs[0].Section != chosen {
		t.Fatalf("decisions recorded: %+v", ovs)
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; last.To != string(store.Approved) || !strings.HasPrefix(last.Reason, "одобрено без проверки") {
		t.Errorf("approval event: %+v", last)
	}
}

// Two jobs cannot work on one site at once: the second is told which job
// holds it, and the site's ledger sees one crawl.
func TestOneJobPerSite(t *testing.T) {
	gate := make(chan struct{})
	ws, o := newSchool(t, serveSchool(t, gate))
	first := &Runner{WS: ws, Actor: "operator:web"}
	second := &Runner{WS: ws, Actor: "operator:cli"}
	var wg sync.WaitGroup
	var res1 *Result
	wg.Go(func() { res1 = first.Run(context.Background(), []*store.Org{o}, testCrawl()) })
	// Wait until the first job holds the site.
	deadline := time.Now().Add(5 * time.Second)
	for {
		rel, err := ws.Lease(o.ID, "probe")
		if err != nil {
			break
		}
		rel()
		if time.Now().After(deadline) {
			t.Fatal("the first job never took the site")
		}
		time.Sleep(time.Millisecond)
	}
	res2 := second.Run(context.Background(), []*store.Org{o}, Map{Profiles: profiles(t)})
	close(gate)
	wg.Wait()
	if res2.Skipped != 1 || res2.Outcomes[0].Skip.Reason != SkipBusy {
		t.Fatalf("second job on a busy site: %+v", res2.Outcomes[0])
	}
	if res1.Failed+res1.Skipped != 0 || res1.Outcomes[0].State != store.Crawled {
		t.Fatalf("first job: %+v", res1.Outcomes[0])
	}
}

// A stage whose commit fails leaves the site where it was: its records and
// its state move together or not at all.
func TestStageResultAndStateCommitTogether(t *testing.T) {
	ws, o := newSchool(t, serveSchool(t, nil))
	r := &Runner{WS: ws, Actor: "test"}
	boom := errors.New("disk full")
	step := failingCommit{err: boom}
	res := r.Run(context.Background(), []*store.Org{o}, step)
	if res.Failed != 1 {
		t.Fatalf("outcome: %+v", res.Outcomes[0])
	}
	if _, err := crawler.LastStats.Get(ws, o.ID, "last"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a record of the failed commit was kept: %v", err)
	}
	if now, _ := ws.Org(o.ID); now.State != store.Registered {
		t.Errorf("state moved to %s by a failed commit", now.State)
	}
}

// failingCommit is a crawl-stage step whose commit writes a record, then fails.
type failingCommit struct{ err error }

func (failingCommit) Stage() store.Stage { return store.StageCrawl }
func (failingCommit) note() string       { return "" }
func (f failingCommit) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	return func(tx store.Tx) error {
		if err := crawler.LastStats.Put(tx, o.ID, "last", &crawler.Stats{Pages: 1}); err != nil {
			return err
		}
		return f.err
	}, nil
}

// Approving a plan with open mandated gaps needs a confirmation, and the
// event log records it.
func TestApprovalWithOpenGapsNeedsConfirmation(t *testing.T) {
	ws, o := newSchool(t, serveSchool(t, nil))
	r := &Runner{WS: ws, Actor: "test"}
	ctx := context.Background()
	if res := r.Run(ctx, []*store.Org{o}, RunSteps(testCrawl(), Map{Profiles: profiles(t)})...); res.Failed > 0 {
		t.Fatalf("%+v", res.Outcomes)
	}
	plan, _ := mapping.LoadPlan(ws, o.ID)
	if len(plan.Gaps) == 0 {
		t.Fatal("the small school has no gaps: the test proves nothing")
	}
	res := r.Run(ctx, []*store.Org{o}, ApproveSteps(Approval{Note: "проверено"})...)
	if res.Refused != 1 || res.Outcomes[0].Skip == nil || res.Outcomes[0].Skip.Reason != SkipGapsOpen || res.Err() == nil {
		t.Fatalf("approval with gaps, unconfirmed: %+v", res.Outcomes[0])
	}
	if now, _ := ws.Org(o.ID); now.State == store.Approved {
		t.Fatal("approved without the confirmation")
	}
	res = r.Run(ctx, []*store.Org{o}, ApproveSteps(Approval{Note: "проверено", WithGaps: true})...)
	if res.Failed+res.Refused != 0 || res.Outcomes[0].State != store.Approved {
		t.Fatalf("approval with gaps, confirmed: %+v", res.Outcomes[0])
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; !strings.Contains(last.Reason, "mandated gaps open, confirmed") {
		t.Errorf("the confirmation is not in the event: %q", last.Reason)
	}
}

// A site whose registry row says robots = ignore is crawled whole, and the
// organisation's consent is in the event of the crawl.
func TestRobotsIgnoredIsRecorded(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nDisallow: /\n"))
			return
		}
		body, ok := schoolPages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(body))
	}))
	defer hs.Close()
	ws := store.TestStore(t)
	reason := "письмо директора от 01.09.2024 № 12"
	if _, err := ws.UpsertOrg("test", store.Org{ID: "3801000006", Name: "Школа № 6", Type: store.School, LegacyURL: hs.URL + "/", PortalSite: "sh6",
		Settings: map[string]string{"robots": "ignore", "robots_reason": reason}}); err != nil {
		t.Fatal(err)
	}
	o, _ := ws.Org("3801000006")
	r := &Runner{WS: ws, Actor: "test"}
	res := r.Run(context.Background(), []*store.Org{o}, testCrawl())
	if res.Failed+res.Skipped != 0 || res.Outcomes[0].Crawl.Pages < 2 || !res.Outcomes[0].Crawl.RobotsIgnored {
		t.Fatalf("crawl with robots ignored: %+v %+v", res.Outcomes[0], res.Outcomes[0].Crawl)
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; !strings.Contains(last.Reason, reason) || !strings.Contains(last.Reason, "robots.txt not obeyed") {
		t.Errorf("crawl event: %+v", last)
	}
}

// A site re-migrated after a signed act is not act_signed, but its portal
// content is what a signed act describes: the rollback is refused when the
// books say an act is signed.
func TestRollbackRefusedWhenAnyActIsSigned(t *testing.T) {
	ws, o := newSchool(t, serveSchool(t, nil))
	for _, st := range []store.Stage{store.StageCrawl, store.StageExtract, store.StageMap, store.StageReview, store.StageApprove, store.StageUpload, store.StageVerify, store.StageAct} {
		if err := ws.Advance(o.ID, st, "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	o, _ = ws.Org(o.ID)
	r := &Runner{WS: ws, Actor: "test"}
	res := r.Run(context.Background(), []*store.Org{o}, Rollback{Signed: func(store.Reader, *store.Org) bool { return true }})
	if res.Refused != 1 || res.Outcomes[0].Skip == nil || res.Outcomes[0].Skip.Reason != SkipActSigned {
		t.Fatalf("rollback of a site with a signed act: %+v", res.Outcomes[0])
	}
}

// An approval without review does not publish what looks like personal
// data: it refuses the site until a person decides, or with
// ExcludePersonal excludes such items with why; a person's decision lets
// the item through. The rule is the review UI's (one approval, one meaning).
func TestApprovalDoesNotPublishUndecidedPersonalData(t *testing.T) {
	pages := map[string]string{}
	for k, v := range schoolPages {
		pages[k] = strings.ReplaceAll(v, `<a href="/club.html">Кружки</a>`, `<a href="/club.html">Кружки</a> <a href="/first.html">Первоклассникам</a>`)
	}
	pages["/first.html"] = `<html><head><title>Зачисление в 1 класс</title></head><body><nav><a href="/sveden/">Сведения</a></nav>
<main><h1>Зачисление в 1 класс</h1><p>Приказ № 41 от 01.04.2026. Зачислены в 1 «А» класс:</p>
<ol><li>Арсеньев Матвей Олегович</li><li>Белова Злата Игоревна</li><li>Вершинин Тимофей Андреевич</li><li>Гаврилова Ника Сергеевна</li></ol></main></body></html>`
	serve := func(t *testing.T) string {
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := pages[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(body))
		}))
		t.Cleanup(hs.Close)
		return hs.URL + "/"
	}
	mapped := func(t *testing.T) (*store.Workspace, *store.Org, *Runner, mapping.Item) {
		ws, o := newSchool(t, serve(t))
		r := &Runner{WS: ws, Actor: "operator:анна"}
		if res := r.Run(context.Background(), []*store.Org{o}, RunSteps(testCrawl(), Map{Profiles: profiles(t)})...); res.Failed > 0 {
			t.Fatalf("%+v", res.Outcomes)
		}
		plan, _ := mapping.LoadPlan(ws, o.ID)
		for _, pi := range mapping.PersonalItems(plan, nil) {
			if strings.HasSuffix(pi.Item.SourceURL, "/first.html") {
				return ws, o, r, pi.Item
			}
		}
		t.Fatal("the enrolment list is not flagged as personal data: the test proves nothing")
		return nil, nil, nil, mapping.Item{}
	}
	ctx := context.Background()

	t.Run("refused, then excluded", func(t *testing.T) {
		ws, o, r, kids := mapped(t)
		res := r.Run(ctx, []*store.Org{o}, ApproveSteps(Approval{Note: "без проверки", WithGaps: true})...)
		out := res.Outcomes[0]
		if res.Refused != 1 || out.Skip == nil || out.Skip.Reason != SkipPersonal || !strings.Contains(out.Skip.Detail, "/first.html") || res.Err() == nil {
			t.Fatalf("approval with undecided personal data: %+v", out)
		}
		if now, _ := ws.Org(o.ID); now.State == store.Approved {
			t.Fatal("approved with undecided personal data")
		}
		res = r.Run(ctx, []*store.Org{o}, ApproveSteps(Approval{Note: "без проверки", WithGaps: true, ExcludePersonal: true})...)
		out = res.Outcomes[0]
		if res.Failed+res.Refused != 0 || out.State != store.Approved || out.Review == nil || out.Review.Excluded != 1 {
			t.Fatalf("approval excluding personal data: %+v (review %+v)", out, out.Review)
		}
		plan, _ := mapping.LoadPlan(ws, o.ID)
		found := false
		for _, it := range plan.Excluded {
			if it.Key == kids.Key {
				found = strings.Contains(it.Reason, "персональные данные") && strings.Contains(it.Reason, "operator:анна")
			}
		}
		if !found {
			t.Fatalf("the enrolment list is not excluded with a readable reason: %+v", plan.Excluded)
		}
		if pd := mapping.UndecidedPersonalData(plan, nil); len(pd) != 0 {
			t.Errorf("still placed: %+v", pd)
		}
		// A rebuild, as any review decision makes, keeps it out.
		_, commit, err := mapping.RebuildPlan(ctx, ws, ws.Blobs, profiles(t), mapping.Options{}, nil, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := ws.Update(commit); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := mapping.LoadPlan(ws, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		ovs, _ := mapping.LoadOverrides(ws, o.ID)
		if pd := mapping.UndecidedPersonalData(rebuilt, ovs); len(pd) != 0 {
			t.Errorf("a rebuild placed the excluded list again: %+v", pd)
		}
	})

	t.Run("a person's decision", func(t *testing.T) {
		ws, o, r, kids := mapped(t)
		ov := mapping.Override{Key: kids.Key, Section: mapping.OtherSection, SourceHash: kids.SourceHash, Actor: "admin:3801000005", At: ws.Now()}
		if err := ws.Update(func(tx store.Tx) error { return mapping.Overrides.Put(tx, o.ID, ov.Key, &ov) }); err != nil {
			t.Fatal(err)
		}
		res := r.Run(ctx, []*store.Org{o}, ApproveSteps(Approval{Note: "проверено", WithGaps: true})...)
		if res.Failed+res.Refused != 0 || res.Outcomes[0].State != store.Approved {
			t.Fatalf("approval after the admin's decision: %+v", res.Outcomes[0])
		}
	})
}

// heavyStep is a map-stage step that weighs a site by its pages and
// records how many pages were worked on at once.
type heavyStep struct {
	mu    *sync.Mutex
	now   *int64
	peak  *int64 // the most pages at once
	alone *bool  // the site larger than the budget ran with no other
}

func (heavyStep) Stage() store.Stage       { return store.StageMap }
func (heavyStep) note() string             { return "" }
func (heavyStep) pages(o *store.Org) int64 { return o.Stats.Pages }
func (h heavyStep) run(ctx context.Context, r *Runner, o *store.Org, out *Outcome) (func(store.Tx) error, error) {
	h.mu.Lock()
	*h.now += o.Stats.Pages
	if o.Stats.Pages > 100 {
		*h.alone = *h.alone && *h.now == o.Stats.Pages
	} else {
		*h.peak = max(*h.peak, *h.now)
	}
	h.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	h.mu.Lock()
	*h.now -= o.Stats.Pages
	h.mu.Unlock()
	return nil, nil
}

// Extract and map hold a site's pages in memory: the sites they work on
// at once stay within the runner's page budget, however many sites run in
// parallel, and a site larger than the budget runs alone rather than
// never.
func TestPageBudgetBoundsTheSitesWorkedOnAtOnce(t *testing.T) {
	ws := store.TestStore(t)
	var orgs []*store.Org
	for i := range 12 {
		id := fmt.Sprintf("38010001%02d", i)
		pages := int64(40)
		if i == 5 {
			pages = 250 // larger than the budget
		}
		if _, err := ws.UpsertOrg("test", store.Org{ID: id, Name: "Школа", Type: store.School, PortalSite: "s" + id}); err != nil {
			t.Fatal(err)
		}
		if err := ws.UpdateOrg(id, func(o *store.Org) error { o.Stats.Pages = pages; return nil }); err != nil {
			t.Fatal(err)
		}
		o, _ := ws.Org(id)
		orgs = append(orgs, o)
	}
	var now, peak int64
	alone := true
	h := heavyStep{mu: new(sync.Mutex), now: &now, peak: &peak, alone: &alone}
	r := &Runner{WS: ws, Actor: "test", SitesParallel: 12, PageBudget: 100}
	res := r.Run(context.Background(), orgs, h)
	for _, out := range res.Outcomes {
		if out.Error != "" || out.Skip != nil && out.Skip.Reason != SkipNotReady {
			t.Fatalf("%+v", out)
		}
	}
	if ran := len(orgs) - res.Skipped; ran != len(orgs) {
		t.Fatalf("%d of %d sites ran: %+v", ran, len(orgs), res.Outcomes)
	}
	if peak > 100 || peak < 80 {
		t.Errorf("ordinary sites held %d pages at once, budget 100 (without it, all eleven at once: 440)", peak)
	}
	if !alone {
		t.Error("the site larger than the budget ran beside others")
	}
}

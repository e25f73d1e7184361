package pipeline

import (
	"context"
	"errors"
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
// to review and the upload quietly dropped them.
func TestAutomaticApprovalSurvivesARebuild(t *testing.T) {
	ws, o := newSchool(t, serveSchool(t, nil))
	r := &Runner{WS: ws, Actor: "test"}
	strict := Map{Profiles: profiles(t), Options: mapping.Options{Threshold: 0.999}} // everything goes to review
	ctx := context.Background()
	if res := r.Run(ctx, []*store.Org{o}, RunSteps(testCrawl(), strict)...); res.Failed > 0 {
		t.Fatalf("%+v", res.Outcomes)
	}
	before, _ := mapping.LoadPlan(ws, o.ID)
	if len(before.Unplaced) == 0 {
		t.Fatal("the strict threshold left nothing for review: the test proves nothing")
	}
	res := r.Run(ctx, []*store.Org{o}, ApproveSteps("одобрено без проверки", true)...)
	if res.Failed+res.Skipped > 0 || res.Outcomes[0].State != store.Approved || res.Outcomes[0].Review.Accepted != len(before.Unplaced) {
		t.Fatalf("approve: %+v", res.Outcomes[0])
	}
	approved, _ := mapping.LoadPlan(ws, o.ID)
	placed, unplaced, _ := approved.Counts()
	if unplaced != 0 {
		t.Fatalf("%d items still for review after approval", unplaced)
	}
	// A rebuild, as the review UI makes after any decision.
	plan, commit, err := mapping.RebuildPlan(ctx, ws, strict.Profiles, strict.Options, nil, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Update(commit); err != nil {
		t.Fatal(err)
	}
	p2, u2, _ := plan.Counts()
	if u2 != 0 || p2 != placed {
		t.Fatalf("after a rebuild: %d placed, %d for review; the approval placed %d", p2, u2, placed)
	}
	ovs, _ := mapping.LoadOverrides(ws, o.ID)
	if len(ovs) != len(before.Unplaced) || ovs[0].Actor != "test" || ovs[0].Note == "" {
		t.Fatalf("decisions recorded: %+v", ovs)
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; last.To != string(store.Approved) || !strings.HasPrefix(last.Reason, "одобрено без проверки; approved with ") {
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
	res := r.Run(ctx, []*store.Org{o}, ApproveSteps("проверено", false)...)
	if res.Refused != 1 || res.Outcomes[0].Skip == nil || res.Outcomes[0].Skip.Reason != SkipGapsOpen || res.Err() == nil {
		t.Fatalf("approval with gaps, unconfirmed: %+v", res.Outcomes[0])
	}
	if now, _ := ws.Org(o.ID); now.State == store.Approved {
		t.Fatal("approved without the confirmation")
	}
	res = r.Run(ctx, []*store.Org{o}, ApproveSteps("проверено", true)...)
	if res.Failed+res.Refused != 0 || res.Outcomes[0].State != store.Approved {
		t.Fatalf("approval with gaps, confirmed: %+v", res.Outcomes[0])
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; !strings.Contains(last.Reason, "mandated gaps open, confirmed") {
		t.Errorf("the confirmation is not in the event: %q", last.Reason)
	}
}

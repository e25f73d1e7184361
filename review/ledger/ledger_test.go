package ledger

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
	"perenos/pipeline"
	"perenos/store"
)

// A small school site written for these tests.
var pages = map[string]string{
	"/": `<html><head><title>Школа № 3</title></head><body><nav><a href="/sveden/common.html">Основные сведения</a></nav><main><h1>Школа № 3</h1><p>Добро пожаловать.</p></main></body></html>`,
	"/sveden/common.html": `<html><head><title>Основные сведения</title></head><body><nav><a href="/sveden/common.html">Основные сведения</a></nav>
<main><h1>Основные сведения</h1><p>Полное наименование: МБОУ СОШ № 3. Учредитель: администрация района.</p></main></body></html>`,
}

func source(t *testing.T) (*Source, *store.Workspace) {
	t.Helper()
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
	ws := store.TestStore(t)
	for _, o := range []store.Org{
		{ID: "3801000003", Name: "МБОУ СОШ № 3", Type: store.School, LegacyURL: hs.URL + "/", PortalSite: "sh3"},
		{ID: "3801000004", Name: "МБОУ СОШ № 4", Type: store.School, LegacyURL: "http://127.0.0.1:1/", PortalSite: "sh4"},
	} {
		if _, err := ws.UpsertOrg("test", o); err != nil {
			t.Fatal(err)
		}
	}
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	return &Source{WS: ws, Profiles: profiles, Crawl: crawler.Options{Net: crawler.NetOptions{AllowPrivate: true}, Delay: time.Millisecond, MaxTries: 1}}, ws
}

type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
}

func (l *lineLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// A web job runs its stages through the runner and says each site's
// outcome in Russian, from the outcome's numbers.
func TestRunAJobFromTheWebUI(t *testing.T) {
	src, ws := source(t)
	var log lineLog
	if err := src.Run(context.Background(), "run", []string{"3801000003"}, "operator:a", log.add); err != nil {
		t.Fatalf("run: %v\n%s", err, log.text())
	}
	o, _ := ws.Org("3801000003")
	if o.State != store.Mapped {
		t.Fatalf("state after the job: %s\n%s", o.State, log.text())
	}
	got := log.text()
	for _, want := range []string{"обход 3801000003: страниц 2", "извлечение 3801000003: документов 2", "разметка 3801000003: размещено", "готово: сайтов 1, с ошибкой 0"} {
		if !strings.Contains(got, want) {
			t.Errorf("job log lacks %q:\n%s", want, got)
		}
	}
	for _, english := range []string{"pages", "placed", "crawl "} {
		if strings.Contains(got, english) {
			t.Errorf("job log speaks English (%q):\n%s", english, got)
		}
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; last.Actor != "operator:a" {
		t.Errorf("the job's actor is not in the event log: %+v", last)
	}
}

// A site that fails makes the job fail with ErrSomeFailed, the failure in
// the log; the other sites go on.
func TestAFailedSiteFailsTheJob(t *testing.T) {
	src, ws := source(t)
	var log lineLog
	err := src.Run(context.Background(), "crawl", []string{"3801000003", "3801000004"}, "operator:a", log.add)
	if !errors.Is(err, pipeline.ErrSomeFailed) {
		t.Fatalf("a job with a failing site: %v\n%s", err, log.text())
	}
	if o, _ := ws.Org("3801000004"); o.State != store.Failed {
		t.Errorf("failing site: %s", o.State)
	}
	if o, _ := ws.Org("3801000003"); o.State != store.Crawled {
		t.Errorf("the other site: %s", o.State)
	}
	if !strings.Contains(log.text(), "обход 3801000004: ошибка:") || !strings.Contains(log.text(), "с ошибкой 1") {
		t.Errorf("job log:\n%s", log.text())
	}
}

func TestOnlyKnownStagesRun(t *testing.T) {
	src, _ := source(t)
	var log lineLog
	if err := src.Run(context.Background(), "upload", []string{"3801000003"}, "operator:a", log.add); err == nil {
		t.Error("upload ran without a portal configured")
	}
	if err := src.Run(context.Background(), "rollback", []string{"3801000003"}, "operator:a", log.add); err == nil {
		t.Error("a stage the web UI does not offer ran")
	}
}

// Approval from the web UI is the pipeline's: it records the approver and,
// with gaps open, needs the confirmation.
func TestApproveIsThePipelines(t *testing.T) {
	src, ws := source(t)
	var log lineLog
	if err := src.Run(context.Background(), "run", []string{"3801000003"}, "operator:a", log.add); err != nil {
		t.Fatal(err)
	}
	plan, _ := src.Plan("3801000003")
	if len(plan.Gaps) == 0 {
		t.Fatal("no gaps: the confirmation is not tested")
	}
	if err := src.Approve(context.Background(), "3801000003", "admin:3801000003", "проверено", false); err == nil {
		t.Fatal("approved with open gaps and no confirmation")
	}
	if err := src.Approve(context.Background(), "3801000003", "admin:3801000003", "проверено", true); err != nil {
		t.Fatal(err)
	}
	o, _ := ws.Org("3801000003")
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; o.State != store.Approved || last.Actor != "admin:3801000003" || !strings.Contains(last.Reason, "проверено") {
		t.Fatalf("state %s, last event %+v", o.State, last)
	}
}

package realsites

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"perenos/mapping"
	"perenos/realsites/recordscore"
	"perenos/store"
)

// corpusDir finds ../shared/gold-real beside the repository (the folder
// holding go.mod), as CI has it beside its clone. It skips the test when
// the corpus is absent, and fails it under CI.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = up
	}
	c := filepath.Join(filepath.Dir(dir), "shared", "gold-real")
	if !IsCorpus(c) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the real-site corpus is not at %s (CI must have ../shared beside its clone)", c)
		}
		t.Skipf("the real-site corpus is not at %s", c)
	}
	return c
}

// TestBenchOneSite runs the real-site bench on one small static site of
// the corpus through the whole pipeline and checks that the score adds up:
// every labelled page and document counted once, the rates their counts'
// share, the site in the tuning part, nothing fetched off loopback, and
// the site's menu followed to every page it links.
func TestBenchOneSite(t *testing.T) {
	dir := corpusDir(t)
	needPHP(t)
	if testing.Short() {
		t.Skip("runs the pipeline on a real site")
	}
	const site = "nsk-poliklinika22"
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	corpus, err := LoadCorpus(dir, func(ty store.OrgType, id string) bool { return profiles[ty].Section(id) != nil })
	if err != nil {
		t.Fatal(err)
	}
	gold, err := recordscore.Load(filepath.Join(dir, "records.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Bench(context.Background(), Options{Dir: dir, Sites: []string{site}, Profiles: profiles, Records: gold})
	if err != nil {
		t.Fatal(err)
	}
	// The records score covers this site's labelled pages only, and what
	// reached the plan from them is counted.
	if r := res.Records; r == nil || r.Heldout.Staff.Labelled != 0 || r.Staff.Labelled == 0 || r.Document.Labelled == 0 ||
		r.Staff.Found == 0 || r.Document.Found == 0 || r.Tuning.Staff != r.Staff {
		t.Errorf("records score of %s: %+v", site, res.Records)
	}
	sc := res.Score
	t.Logf("%s: %+v", site, sc)
	for _, m := range res.Misses {
		t.Logf("miss: %+v", m)
	}
	if sc.Sites != 1 || sc.Pages != len(corpus.Pages[site]) || sc.Docs != len(corpus.Docs[site]) {
		t.Fatalf("scored %d sites, %d pages, %d documents; the corpus labels %d pages and %d documents of %s",
			sc.Sites, sc.Pages, sc.Docs, len(corpus.Pages[site]), len(corpus.Docs[site]), site)
	}
	if sc.Right+sc.Wrong+sc.Flagged+sc.NotInPlan != sc.Pages {
		t.Errorf("right %d + wrong %d + flagged %d + not in plan %d != %d pages", sc.Right, sc.Wrong, sc.Flagged, sc.NotInPlan, sc.Pages)
	}
	if sc.Accuracy != ratio(sc.Right, sc.Pages, 0) || sc.WrongRate != ratio(sc.Wrong, sc.Pages, 0) || sc.FlaggedRate != ratio(sc.Flagged, sc.Pages, 0) {
		t.Errorf("rates do not match counts: %+v", sc)
	}
	if len(res.Misses) != sc.Pages-sc.Right+sc.Docs-sc.DocsRight {
		t.Errorf("%d misses for %d pages and %d documents not right", len(res.Misses), sc.Pages-sc.Right, sc.Docs-sc.DocsRight)
	}
	if res.Tuning.Score != sc || res.Heldout.Pages != 0 || res.PerSite[site] != sc || res.PerType["medical"] != sc {
		t.Errorf("parts do not add up: tuning %+v, held-out %+v", res.Tuning.Score, res.Heldout.Score)
	}
	if res.Offsite != 0 {
		t.Errorf("the crawl tried %d connections to hosts outside the corpus", res.Offsite)
	}
	// The site's menu is plain HTML on every page and its seven preparation
	// PDFs are in the copy: the crawl reaches every page and file.
	if sc.NotInPlan != 0 || sc.DocsInPlan != 1 {
		t.Errorf("%d labelled pages not in the plan, docs_in_plan %.2f; want 0 and 1", sc.NotInPlan, sc.DocsInPlan)
	}
	for _, m := range res.Misses {
		if m.Path == "index.html" {
			t.Errorf("the home page is a miss: %+v", m)
		}
		if m.Got == "" || m.Want == "" {
			t.Errorf("a miss says nothing: %+v", m)
		}
	}
}

// BenchmarkMapBuild times the map stage's own work (mapping.Build, the
// whole-site reasoning included) on every site of the corpus, after one
// crawl and extraction: cpu-ns/page (the process's CPU time, garbage
// collection included) is the figure issue 18's budget is about.
//
//	GOMAXPROCS=1 go test -run '^$' -bench MapBuild ./realsites
func BenchmarkMapBuild(b *testing.B) {
	dir := corpusDir(b)
	needPHP(b)
	wsDir := filepath.Join(b.TempDir(), "workspace")
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Bench(context.Background(), Options{Dir: dir, Profiles: profiles, Workspace: wsDir}); err != nil {
		b.Fatal(err)
	}
	ws, err := store.Open(context.Background(), wsDir, store.Options{LockTimeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	orgs, err := ws.Orgs()
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, o := range orgs {
		ids = append(ids, o.ID)
	}
	slices.Sort(ids)
	inputs, err := mapInputs(ws, ids)
	if err != nil {
		b.Fatal(err)
	}
	pages := 0
	for _, in := range inputs {
		for _, p := range in.Pages {
			if p.Kind == store.KindPage {
				pages++
			}
		}
	}
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		for _, id := range ids {
			in := inputs[id]
			mapping.Build(profiles[in.Org.Type], in, mapping.Options{})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(pages), "ns/page")
	if c := cpuTime() - cpu; c > 0 {
		b.ReportMetric(float64(c.Nanoseconds())/float64(b.N)/float64(pages), "cpu-ns/page")
	}
	b.ReportMetric(float64(pages), "pages")
}

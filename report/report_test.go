package report

import (
	"bytes"
	"errors"
	"flag"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"perenos/report/binding"
	"perenos/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// region is the scripted region of the report tests.
var region = []store.Org{
	{ID: "3801000001", Name: "ОГБУЗ «Больница № 1»", Type: store.Medical, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://m1.example/", PortalSite: "m1"},
	{ID: "3801000002", Name: "ОГБУЗ «Больница № 2»", Type: store.Medical, Region: "Иркутская область", District: "Усольский район", LegacyURL: "http://m2.example/", PortalSite: "m2"},
	{ID: "3801000003", Name: "ОГБУЗ «Поликлиника № 3»", Type: store.Medical, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://m3.example/", PortalSite: "m3"},
	{ID: "3801000011", Name: "МБОУ СОШ № 1", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://s1.example/", PortalSite: "s1"},
	{ID: "3801000012", Name: "МБОУ СОШ № 2", Type: store.School, Region: "Иркутская область", District: "Усольский район", LegacyURL: "http://s2.example/", PortalSite: "s2"},
	{ID: "3801000013", Name: "МБОУ СОШ № 3", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://s3.example/", PortalSite: "s3"},
	{ID: "3801000014", Name: "МБОУ СОШ № 4", Type: store.School, Region: "Иркутская область", District: "Усольский район", LegacyURL: "http://s4.example/", PortalSite: "s4"},
	{ID: "3801000021", Name: "МБДОУ «Детский сад № 1»", Type: store.Preschool, Region: "Иркутская область", District: "Ангарский ГО", PortalSite: "d1"},
}

// script is the region's history; checkpoint is called at 2023-10-03 12:00.
func script(t *testing.T, ws *store.Workspace, c *clock, checkpoint func()) {
	t.Helper()
	do := func(when, org string, stages ...store.Stage) {
		t.Helper()
		c.Set(when)
		walk(t, ws, c, org, stages...)
	}
	c.Set("2023-08-01 09:00")
	for _, o := range region {
		if _, err := ws.UpsertOrg("test", o); err != nil {
			t.Fatal(err)
		}
	}
	do("2023-08-20 10:00", "3801000001", toVerified...)
	do("2023-08-25 10:00", "3801000001", store.StageAct)
	do("2023-09-01 10:00", "3801000001", store.StageSign)
	do("2023-09-10 10:00", "3801000002", toVerified...)
	do("2023-09-20 10:00", "3801000003", store.StageCrawl)
	c.Set("2023-09-21 10:00")
	if err := ws.Fail("3801000003", store.StageExtract, "test", errors.New("no page could be parsed")); err != nil {
		t.Fatal(err)
	}
	do("2023-09-25 10:00", "3801000011", toVerified...)
	do("2023-09-26 10:00", "3801000011", store.StageAct)
	c.Set("2023-10-03 12:00")
	checkpoint()
	do("2023-10-05 10:00", "3801000012", toVerified...)
	do("2023-10-10 10:00", "3801000013", toVerified[:3]...)
	c.Set("2023-10-15 10:00")
	if err := binding.Record(ws, &binding.Result{Org: "3801000001", Domain: "m1.example", Bound: true, Via: "CNAME", Detail: "m1.example is a CNAME of m1.gosweb.gosuslugi.ru"}, "test"); err != nil {
		t.Fatal(err)
	}
	c.Set("2023-10-16 10:00")
	if err := binding.Record(ws, &binding.Result{Org: "3801000011", Domain: "s1.example", Detail: "s1.example points at 198.51.100.7"}, "test"); err != nil {
		t.Fatal(err)
	}
	do("2023-10-20 10:00", "3801000021", store.StageMap, store.StageReview, store.StageApprove, store.StageUpload)
	do("2023-11-01 10:00", "3801000021", store.StageVerify)
	// After the report's date: a new school, and school 2's act.
	c.Set("2023-11-20 10:00")
	if _, err := ws.UpsertOrg("test", store.Org{ID: "3801000015", Name: "МБОУ СОШ № 5", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", PortalSite: "s5"}); err != nil {
		t.Fatal(err)
	}
	do("2023-11-21 10:00", "3801000012", store.StageAct, store.StageSign)
}

func testRoadmap(t *testing.T) *Roadmap {
	t.Helper()
	rm, err := LoadRoadmap("testdata/roadmap-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return rm
}

// scripted builds the scripted ledger and returns the report computed
// live at the checkpoint (2023-10-03 12:00).
func scripted(t *testing.T) (*store.Workspace, *Report) {
	t.Helper()
	c := &clock{}
	ws := openAt(t, c)
	rm := testRoadmap(t)
	var live *Report
	script(t, ws, c, func() {
		var err error
		if live, err = Build(ws, Options{Roadmap: rm}); err != nil {
			t.Fatal(err)
		}
	})
	c.Set("2024-01-10 09:00")
	return ws, live
}

func jsonOf(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestAtReproducesAPastDate(t *testing.T) {
	ws, live := scripted(t)
	rm := testRoadmap(t)
	then, err := Build(ws, Options{Roadmap: rm, At: live.At})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := jsonOf(t, live), jsonOf(t, then); a != b {
		t.Fatalf("--at the checkpoint differs from the report made at the checkpoint:\nlive:\n%s\nreplayed:\n%s", a, b)
	}
	// The counts themselves, as scripted.
	if live.All.Total != 8 || live.All.Migrated != 3 || live.All.ActIssued != 2 || live.All.ActSigned != 1 || live.All.Count(store.Failed) != 1 {
		t.Errorf("at 2023-10-03: %+v", live.All)
	}
	now, err := Build(ws, Options{Roadmap: rm})
	if err != nil {
		t.Fatal(err)
	}
	if now.All.Total != 9 || now.All.Migrated != 5 || now.All.ActSigned != 2 || now.All.DomainBound != 1 {
		t.Errorf("at the end: %+v", now.All)
	}
	// A date given as a day means the end of that day in the roadmap's zone.
	day, err := ParseDate("2023-10-03", rm.Location())
	if err != nil {
		t.Fatal(err)
	}
	byDay, _ := Build(ws, Options{Roadmap: rm, At: day})
	if byDay.Date != "2023-10-03" || byDay.All.Migrated != 3 {
		t.Errorf("--at 2023-10-03: %s, %+v", byDay.Date, byDay.All)
	}
}

func TestMilestonesMetMissedOnTrackBehind(t *testing.T) {
	ws, _ := scripted(t)
	at, _ := ParseDate("2023-11-15", irkutsk)
	r, err := Build(ws, Options{Roadmap: testRoadmap(t), At: at})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status   Status
		actual   int
		now      int
		target   int
		expected int // -1: none
		pending  string
	}{
		{StatusMet, 2, 2, 2, -1, ""},
		{StatusOnTrack, 2, 2, 3, 2, "ошибка 1"},
		{StatusMissed, 1, 2, 3, -1, "зарегистрировано 1; распределено по разделам 1"},
		{StatusBehind, 2, 2, 4, 3, "зарегистрировано 1; распределено по разделам 1"},
		{StatusBehind, 1, 1, 7, 5, "зарегистрировано 1; распределено по разделам 1; проверено на портале 2; акт выдан 1; ошибка 1"},
		{StatusBehind, 1, 1, 5, 3, "зарегистрировано 1; распределено по разделам 1; проверено на портале 2; акт выдан 1; ошибка 1"},
	}
	if len(r.Milestones) != 7 {
		t.Fatalf("%d milestones", len(r.Milestones))
	}
	for i, w := range want {
		m := r.Milestones[i]
		exp := -1
		if m.Expected != nil {
			exp = *m.Expected
		}
		if m.Status != w.status || *m.Actual != w.actual || *m.Now != w.now || m.Target != w.target || exp != w.expected || pendingText(m.Pending) != w.pending {
			t.Errorf("milestone %d (%s %s, due %s): %s actual %d now %d target %d expected %d pending %q; want %+v",
				i, m.Metric, m.Scope, m.Due, m.Status, *m.Actual, *m.Now, m.Target, exp, pendingText(m.Pending), w)
		}
	}
	if u := r.Milestones[6]; u.Status != StatusUntracked || u.Actual != nil || u.TargetText != "60, 100 человек" {
		t.Errorf("untracked row %+v", u)
	}
}

// golden compares got with testdata/golden/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report/ -update rewrites it; review the diff):\n%s", name, got)
	}
}

func TestReportGolden(t *testing.T) {
	ws, _ := scripted(t)
	at, _ := ParseDate("2023-11-15", irkutsk)
	r, err := Build(ws, Options{Roadmap: testRoadmap(t), At: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct{ format, file string }{{"table", "report.txt"}, {"csv", "report.csv"}, {"json", "report.json"}} {
		var b bytes.Buffer
		if err := Write(&b, r, f.format); err != nil {
			t.Fatal(err)
		}
		golden(t, f.file, b.Bytes())
	}
}

func TestReportHTMLEscapesAndDrawsSVG(t *testing.T) {
	ws, _ := scripted(t)
	// Hostile text in a district and a roadmap label.
	if err := ws.UpdateOrg("3801000013", func(o *store.Org) error { o.District = `Район <script>alert("x")</script> & Ко`; return nil }); err != nil {
		t.Fatal(err)
	}
	rm := testRoadmap(t)
	rm.Milestones[0].Label = `перенос <img src=x onerror=alert(1)>`
	r, err := Build(ws, Options{Roadmap: rm})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(html, bad) {
			t.Errorf("the HTML report contains %q unescaped", bad)
		}
	}
	for _, s := range []string{"&lt;script&gt;", "<svg", "<path d=\"M", "<polygon", "цель 2 к 15.09.2023 — выполнено", "Медицинские организации", "не отслеживается"} {
		if !strings.Contains(html, s) {
			t.Errorf("the HTML report lacks %q", s)
		}
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), "report.html"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReportXLSX(t *testing.T) {
	ws, _ := scripted(t)
	at, _ := ParseDate("2023-11-15", irkutsk)
	r, err := Build(ws, Options{Roadmap: testRoadmap(t), At: at})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "По типам,По районам,Вехи,Организации,Динамика" {
		t.Fatalf("sheets %s", got)
	}
	rows, _ := f.GetRows("Вехи")
	if len(rows) != 3+7 || rows[3][7] != "выполнено" || rows[5][7] != "не выполнено" || rows[9][4] != "не отслеживается" {
		t.Fatalf("milestones sheet %q", rows)
	}
	total, _ := f.GetCellValue("По типам", "F17")
	if label, _ := f.GetCellValue("По типам", "A17"); label != "Итого организаций" || total != "8" {
		t.Fatalf("by type: %q = %q", label, total)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), "report.xlsx"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestEmbeddedRoadmaps(t *testing.T) {
	for _, name := range []string{"irkutsk-460rp", "kherson-63pp"} {
		rm, err := LoadRoadmap(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tracked, untracked := 0, 0
		for _, m := range rm.Milestones {
			if m.Metric.Tracked() {
				tracked++
			} else {
				untracked++
			}
		}
		if tracked == 0 || untracked == 0 {
			t.Errorf("%s: %d tracked and %d untracked milestones", name, tracked, untracked)
		}
	}
	irk, _ := LoadRoadmap("irkutsk-460rp")
	if irk.Location().String() != "Asia/Irkutsk" || len(irk.Milestones) != 15 || irk.Milestones[11].Target.N != 899 {
		t.Errorf("irkutsk roadmap: %s, %d milestones", irk.Location(), len(irk.Milestones))
	}
	if _, err := LoadRoadmap("no-such-roadmap"); err == nil || !strings.Contains(err.Error(), "irkutsk-460rp") {
		t.Errorf("an unknown roadmap: %v", err)
	}
}

func TestRoadmapValidation(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"id: x\ntitle: y\nstart: 2023-01-01\nmilestones: [{metric: migrated, due: 2023-02-01, target: lots}]", "positive number or all"},
		{"id: x\ntitle: y\nstart: 2023-01-01\nmilestones: [{metric: migrated, types: [hospital], due: 2023-02-01, target: 1}]", "hospital"},
		{"id: x\ntitle: y\nstart: 2023-01-01\nmilestones: [{metric: migrated, due: 1 февраля, target: 1}]", "not a date"},
		{"id: x\ntitle: y\nstart: 2023-01-01\ntimezone: Mars/Olympus\nmilestones: [{metric: migrated, due: 2023-02-01, target: 1}]", "Mars/Olympus"},
		{"id: x\ntitle: y\nstart: 2023-01-01\nmilestone: []", "field milestone not found"},
	} {
		if _, err := ParseRoadmap("t.yaml", []byte(tc.yaml)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s:\n got %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestHandlerServesTheReport(t *testing.T) {
	ws, _ := scripted(t)
	h := Handler(ws, testRoadmap(t))
	for _, tc := range []struct {
		query, ctype, body string
		code               int
	}{
		{"?at=2023-11-15", "text/html; charset=utf-8", "<svg", 200},
		{"?at=2023-11-15&format=json", "application/json", `"date": "2023-11-15"`, 200},
		{"?format=csv&at=2023-10-03", "text/csv; charset=utf-8", "по типам;всего;перенесено (всего к дате);3", 200},
		{"?at=вчера", "", "not a date", 400},
		{"?format=pdf", "", "unknown report format", 400},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/report"+tc.query, nil))
		if rec.Code != tc.code || (tc.ctype != "" && rec.Header().Get("Content-Type") != tc.ctype) || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %s, want %d %s with %q", tc.query, rec.Code, rec.Header().Get("Content-Type"), tc.code, tc.ctype, tc.body)
		}
	}
}

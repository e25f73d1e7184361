package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"perenos/mapping"
	"perenos/store"
)

// putPlan stores a site's plan as the map stage does.
func putPlan(ws *store.Workspace, org string, plan *mapping.Plan) error {
	plan.Org = org
	return ws.Update(func(tx store.Tx) error { return mapping.Plans.Put(tx, org, "plan", plan) })
}

// clock is a settable fake clock for scripted histories.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Set(s string) {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, irkutsk)
	if err != nil {
		panic(err)
	}
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var irkutsk = func() *time.Location {
	l, err := time.LoadLocation("Asia/Irkutsk")
	if err != nil {
		panic(err)
	}
	return l
}()

// openAt opens a workspace whose clock is c.
func openAt(t *testing.T, c *clock) *store.Workspace {
	t.Helper()
	ws, err := store.Open(context.Background(), t.TempDir(), store.Options{Command: "test", Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// walk advances a site through the given stages, each at the clock's
// time plus a minute.
func walk(t *testing.T, ws *store.Workspace, c *clock, org string, stages ...store.Stage) {
	t.Helper()
	for _, st := range stages {
		if err := ws.Advance(org, st, "test", "scripted "+string(st)); err != nil {
			t.Fatalf("%s %s: %v", org, st, err)
		}
		c.mu.Lock()
		c.t = c.t.Add(time.Minute)
		c.mu.Unlock()
	}
}

// toVerified is the whole pipeline of a site with a legacy site.
var toVerified = []store.Stage{store.StageCrawl, store.StageExtract, store.StageMap, store.StageReview, store.StageApprove, store.StageUpload, store.StageVerify}

// schoolPlan is a school's approved plan with content in four sections,
// gaps, exclusions and text that must be escaped.
func schoolPlan(org string) *mapping.Plan {
	base := "http://sch7.example.ru"
	return &mapping.Plan{
		Org: org, Type: store.School,
		Sections: []mapping.SectionPlan{
			{ID: "sveden", Title: "Сведения об образовательной организации", PortalPath: "/svedeniya/"},
			{ID: "sveden/common", Title: "Основные сведения", Mandated: true, Items: []mapping.Item{
				{Key: "/sveden/common/", SourceURL: base + "/sveden/common/", Kind: mapping.KindPage, Title: "Основные сведения", Body: "Дата создания: 1965 год"},
				{Key: "/contacts.html", SourceURL: base + "/contacts.html", Kind: mapping.KindPage, Title: "Контакты <b>&</b> «режим работы»", Body: "<script>alert(1)</script>"},
				{Key: "/docs/licenzia.pdf", SourceURL: base + "/docs/licenzia.pdf", Kind: mapping.KindDocument, Title: "Лицензия", Blob: "aa11", FileName: "licenzia.pdf"},
			}},
			{ID: "sveden/struct", Title: "Структура и органы управления образовательной организацией", Mandated: true},
			{ID: "sveden/document", Title: "Документы", Mandated: true, Items: []mapping.Item{
				{Key: "/docs/ustav.pdf", SourceURL: base + "/docs/ustav.pdf", Kind: mapping.KindDocument, Title: "Устав", Blob: "bb22", FileName: "ustav.pdf", DocKind: "устав"},
				{Key: "/docs/pravila.doc", SourceURL: base + "/docs/pravila.doc", Kind: mapping.KindDocument, Title: "Правила приёма", Blob: "cc33", FileName: "pravila.doc"},
				{Key: "/docs/otchet.pdf", SourceURL: base + "/docs/otchet.pdf", Kind: mapping.KindDocument, Title: "Отчёт о самообследовании", Blob: "dd44", FileName: "otchet.pdf"},
			}},
			{ID: "sveden/managers", Title: "Руководство", Mandated: true, Items: []mapping.Item{
				{Key: "/sveden/managers/#1", SourceURL: base + "/sveden/managers/", Kind: mapping.KindRecord, Title: "Директор", Fields: map[string]string{"fio": "Иванова Анна Петровна", "post": "директор"}},
				{Key: "/sveden/managers/#2", SourceURL: base + "/sveden/managers/#2", Kind: mapping.KindRecord, Title: "Завуч", Fields: map[string]string{"fio": "Петров Пётр Петрович"}},
			}},
			{ID: "news", Title: "Новости", Items: []mapping.Item{
				{Key: "/news/1.html", SourceURL: base + "/news/1.html", Kind: mapping.KindNews, Title: "Последний звонок", Date: "2023-05-25", Body: "…"},
				{Key: "/news/2.html", SourceURL: base + "/news/2.html", Kind: mapping.KindNews, Title: "Выпускной", Date: "2023-06-24", Body: "…"},
			}},
			{ID: "other", Title: "Прочее"},
		},
		Unplaced: []mapping.Item{},
		Excluded: []mapping.Item{
			{Key: "/print/common.html", SourceURL: base + "/print/common.html", Kind: mapping.KindPage, Title: "Основные сведения", Reason: "копия страницы " + base + "/sveden/common/ (версия для печати или для слабовидящих)"},
			{Key: "/old/", SourceURL: base + "/old/", Kind: mapping.KindPage, Title: "Старая <script>alert(1)</script> страница", Reason: "недоступно на старом сайте (HTTP 404)"},
			{Key: "/spiski.html", SourceURL: base + "/spiski.html", Kind: mapping.KindPage, Title: "Списки <script>alert(1)</script> 1 «А» класса",
				Reason: "исключено при проверке: " + decidedReason + " (admin:3801012345)"},
		},
		Gaps: []mapping.Gap{
			{Section: "sveden/struct", Why: "на старом сайте нет раздела «Структура и органы управления образовательной организацией»"},
			{Section: "sveden/common", Item: "uchredLaw", Why: "не найдено: учредитель"},
		},
	}
}

// decidedReason is why the school's admin excluded a page in review.
const decidedReason = "персональные данные детей, согласий нет (152-ФЗ)"

// schoolDecision is the admin's decision behind the plan's one excluded
// item a person decided on.
func schoolDecision() mapping.Override {
	return mapping.Override{Key: "/spiski.html", Exclude: decidedReason, Actor: "admin:3801012345", At: time.Date(2023, 11, 8, 12, 0, 0, 0, irkutsk)}
}

// schoolOrg is the Irkutsk school the act tests use.
var schoolOrg = store.Org{ID: "3801012345", Name: "МБОУ «Средняя общеобразовательная школа № 7» г. Ангарска", Type: store.School,
	Region: "Иркутская область", District: "Ангарский городской округ", LegacyURL: "http://sch7.example.ru/", PortalSite: "sh7-angarsk-r38"}

// verifiedSchool builds a ledger holding one verified school and its plan.
func verifiedSchool(t *testing.T) (*store.Workspace, *clock, *mapping.Plan) {
	t.Helper()
	c := &clock{}
	c.Set("2023-11-01 09:00")
	ws := openAt(t, c)
	if _, err := ws.UpsertOrg("test", schoolOrg); err != nil {
		t.Fatal(err)
	}
	plan := schoolPlan(schoolOrg.ID)
	if err := putPlan(ws, schoolOrg.ID, plan); err != nil {
		t.Fatal(err)
	}
	ov := schoolDecision()
	if err := ws.Update(func(tx store.Tx) error { return mapping.Overrides.Put(tx, schoolOrg.ID, ov.Key, &ov) }); err != nil {
		t.Fatal(err)
	}
	c.Set("2023-11-02 10:00")
	walk(t, ws, c, schoolOrg.ID, toVerified[:5]...)
	c.Set("2023-11-09 14:30")
	walk(t, ws, c, schoolOrg.ID, store.StageUpload)
	c.Set("2023-11-10 16:45")
	walk(t, ws, c, schoolOrg.ID, store.StageVerify)
	c.Set("2023-11-12 11:00")
	return ws, c, plan
}

func actOptions(ws *store.Workspace) ActOptions {
	return ActOptions{Actor: "test", Location: irkutsk}
}

// needTool finds a command the test needs: without it the test skips,
// except in CI (CI=true), where it fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required when CI=true: apt-get install poppler-utils", name)
		}
		t.Skipf("%s is not installed (apt-get install poppler-utils): skipping the check of the rendered PDF", name)
	}
	return p
}

// artifactDir is where tests leave files for people to look at:
// $PERENOS_ARTIFACTS, or report/testdata/artifacts (ignored by git).
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PERENOS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// scanPDF makes a one-page PDF such as a scanner writes: well over 1 KB,
// and one that opens.
func scanPDF(t *testing.T, label string) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	p.SetFont(pdfFont, "", 12)
	p.AddPage()
	p.CellFormat(0, 10, "Скан подписанного акта: "+label, "", 1, "L", false, 0, "")
	p.SetCreationDate(time.Date(2023, 11, 20, 0, 0, 0, 0, time.UTC))
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustHex(t *testing.T, s string) (out [32]byte) {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("not a SHA-256: %q", s)
	}
	copy(out[:], b)
	return out
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

package report

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"perenos/mapping"
	"perenos/store"
)

// pdfText reads a PDF's text back with pdftotext, whitespace collapsed.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	bin := needTool(t, "pdftotext")
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// renderPNG renders a PDF's pages with pdftoppm into the artifact folder.
func renderPNG(t *testing.T, pdf, name string) []string {
	t.Helper()
	bin := needTool(t, "pdftoppm")
	prefix := filepath.Join(artifactDir(t), name)
	if out, err := exec.Command(bin, "-png", "-r", "80", pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm %s: %v: %s", pdf, err, out)
	}
	pngs, _ := filepath.Glob(prefix + "-*.png")
	if len(pngs) == 0 {
		t.Fatalf("pdftoppm wrote no PNG for %s", pdf)
	}
	t.Logf("rendered act: %s", strings.Join(pngs, ", "))
	return pngs
}

func TestIssueActMatchesLedger(t *testing.T) {
	ws, _, plan := verifiedSchool(t)
	ia, err := IssueAct(ws, schoolOrg.ID, actOptions(ws))
	if err != nil {
		t.Fatal(err)
	}
	act := ia.Act
	if act.Number != "38-0001" || act.Version != 1 || ia.Supersede != nil {
		t.Fatalf("act %s v%d, want 38-0001 v1", act.Number, act.Version)
	}
	o, _ := ws.Org(schoolOrg.ID)
	if o.State != store.ActIssued {
		t.Fatalf("state %s, want act_issued", o.State)
	}
	stored, err := LatestAct(ws, schoolOrg.ID)
	if err != nil || stored == nil || stored.ManifestSHA256 != act.ManifestSHA256 || stored.PDF != act.PDF {
		t.Fatalf("ledger holds %+v (%v), want %+v", stored, err, act)
	}

	// The numbers on the act are the plan's.
	placed, _, excluded := plan.Counts()
	if act.Items != placed || placed != 10 {
		t.Fatalf("act lists %d items, the plan placed %d", act.Items, placed)
	}
	v := ia.view
	if v.Totals.Pages != 2 || v.Totals.Documents != 4 || v.Totals.Records != 2 || v.Totals.News != 2 {
		t.Errorf("totals %+v, want 2 pages, 4 documents, 2 records, 2 news", v.Totals)
	}
	want := map[string][4]int{"Основные сведения": {2, 1, 0, 0}, "Документы": {0, 3, 0, 0}, "Руководство": {0, 0, 2, 0},
		"Структура и органы управления образовательной организацией": {}, "Новости": {0, 0, 0, 2}}
	if len(v.Sections) != len(want) {
		t.Errorf("sections on the act: %+v", v.Sections)
	}
	for _, s := range v.Sections {
		if w, ok := want[s.Title]; !ok || w != [4]int{s.Pages, s.Documents, s.Records, s.News} {
			t.Errorf("section %q: %+v, want %v", s.Title, s, w)
		}
	}
	if len(v.Gaps) != 2 || v.Auto != excluded-1 || len(v.Decided) != 1 || !strings.Contains(v.Decided[0].Reason, "admin:3801012345, 08.11.2023") || v.Crawled != "02.11.2023 10:00" || v.Uploaded != "09.11.2023 14:30" || v.Verified != "10.11.2023 16:45" {
		t.Errorf("gaps %v, excluded %d automatically and %v by a person, dates %s / %s / %s", v.Gaps, v.Auto, v.Decided, v.Crawled, v.Uploaded, v.Verified)
	}

	// The manifest on disk, in the ledger and on the act agree.
	man, err := os.ReadFile(filepath.Join(ws.Dir, act.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(man)
	if hex.EncodeToString(sum[:]) != act.ManifestSHA256 || strings.Count(string(man), "\n") != placed {
		t.Fatalf("manifest file does not match the act's digest:\n%s", man)
	}
	if m, err := Manifests.Get(ws, schoolOrg.ID, VersionKey(1)); err != nil || *m != string(man) {
		t.Fatalf("manifest in the ledger differs: %v", err)
	}
	if !strings.HasPrefix(act.PDF, "acts/38-0001-3801012345-v1") {
		t.Errorf("act file %s", act.PDF)
	}

	// HTML: everything escaped.
	html, err := os.ReadFile(filepath.Join(ws.Dir, act.HTML))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), "<script>") || !strings.Contains(string(html), "&lt;script&gt;") {
		t.Errorf("the act's HTML does not escape item titles")
	}
	for _, s := range []string{ActTitle, "38-0001", schoolOrg.Name[:20], act.ManifestSHA256, "общеобразовательная организация"} {
		if !strings.Contains(string(html), s) && !strings.Contains(string(html), strings.ReplaceAll(s, "«", "&laquo;")) {
			t.Errorf("HTML act lacks %q", s)
		}
	}

	// PDF: read back with pdftotext, rendered with pdftoppm.
	pdf := filepath.Join(ws.Dir, act.PDF)
	text := pdfText(t, pdf)
	for _, s := range []string{ActTitle, "№ 38-0001, версия 1", schoolOrg.Name, "ИНН", "3801012345", "Иркутская область", "Ангарский городской округ",
		"общеобразовательная организация", "http://sch7.example.ru/", "https://sh7-angarsk-r38.gosweb.gosuslugi.ru/",
		"02.11.2023 10:00", "09.11.2023 14:30", "10.11.2023 16:45", "Asia/Irkutsk", "не найдено: учредитель", "2 материала прежнего сайта не перенесены без участия человека",
		"По решению организации при проверке плана не перенесено 1 материал", "Списки <script>alert(1)</script> 1 «А» класса", decidedReason, act.ManifestSHA256,
		"Руководитель организации", "Представитель министерства", "«12» ноября 2023 г."} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF's text lacks %q", s)
		}
	}
	if !regexp.MustCompile(`Итого 2 4 2 2`).MatchString(text) {
		t.Errorf("the PDF's totals row is not «Итого 2 4 2 2»: %s", text)
	}
	copyArtifact(t, pdf, "act-school.pdf")
	copyArtifact(t, filepath.Join(ws.Dir, act.HTML), "act-school.html")
	renderPNG(t, pdf, "act-school")
}

func copyArtifact(t *testing.T, from, name string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(artifactDir(t), name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestActIsReproducible(t *testing.T) {
	render := func() []byte {
		ws, _, _ := verifiedSchool(t)
		ia, err := IssueAct(ws, schoolOrg.ID, actOptions(ws))
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(ws.Dir, ia.Act.PDF))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if a, b := render(), render(); string(a) != string(b) {
		t.Fatalf("the same ledger gave two different PDFs (%d and %d bytes)", len(a), len(b))
	}
}

// writeScan writes a real one-page PDF, as a scanner would, and returns
// its path and SHA-256.
func writeScan(t *testing.T, label string) (path, sum string) {
	t.Helper()
	data := scanPDF(t, label)
	path = filepath.Join(t.TempDir(), "scan.pdf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return path, hex.EncodeToString(s[:])
}

func TestSignOnceThenRefuse(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "2023-11-12", Scan: "x"}, opt); !errors.Is(err, ErrNoAct) {
		t.Fatalf("signing before an act exists: %v", err)
	}
	if _, err := IssueAct(ws, schoolOrg.ID, opt); err != nil {
		t.Fatal(err)
	}
	scan, sum := writeScan(t, "signed scan")
	c.Set("2023-11-20 15:00")
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "25.11.2023", Scan: scan}, opt); err == nil || !strings.Contains(err.Error(), "future") {
		t.Fatalf("a signing date in the future: %v", err)
	}
	act, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "2023-11-20", Scan: scan}, opt)
	if err != nil {
		t.Fatal(err)
	}
	s := act.Signature
	if s == nil || s.SignedBy != "Иванова А. П." || s.Date != "2023-11-20" || s.ScanSHA256 != sum {
		t.Fatalf("signature %+v", s)
	}
	if kept, err := os.ReadFile(filepath.Join(ws.Dir, s.Scan)); err != nil || sha256.Sum256(kept) != mustHex(t, sum) {
		t.Fatalf("the scan's copy: %v", err)
	}
	if o, _ := ws.Org(schoolOrg.ID); o.State != store.ActSigned {
		t.Fatalf("state %s, want act_signed", o.State)
	}
	_, err = SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Сидоров", Date: "2023-11-20", Scan: scan}, opt)
	if !errors.Is(err, ErrAlreadySigned) || !strings.Contains(err.Error(), "Иванова А. П.") || !strings.Contains(err.Error(), "38-0001 v1") || !strings.Contains(err.Error(), "act unsign") {
		t.Fatalf("signing twice: %v", err)
	}
	if _, err := IssueAct(ws, schoolOrg.ID, opt); !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "signed") {
		t.Fatalf("issuing over a signed act: %v", err)
	}
	evs, _ := ws.Events(schoolOrg.ID)
	last := evs[len(evs)-1]
	if last.To != string(store.ActSigned) || !strings.Contains(last.Reason, sum) {
		t.Fatalf("last event %+v", last)
	}
}

func TestReMigrationIssuesVersion2(t *testing.T) {
	ws, c, plan := verifiedSchool(t)
	opt := actOptions(ws)
	first, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	v1pdf, _ := os.ReadFile(filepath.Join(ws.Dir, first.Act.PDF))
	scan, _ := writeScan(t, "scan v1")
	c.Set("2023-11-20 15:00")
	if _, err := SignAct(t.Context(), ws, schoolOrg.ID, SignInput{SignedBy: "Иванова А. П.", Date: "2023-11-20", Scan: scan}, opt); err != nil {
		t.Fatal(err)
	}
	// The old site changed: crawl again, new news item, through verify.
	plan.Sections[5].Items = append(plan.Sections[5].Items, mapping.Item{Key: "/news/3.html", SourceURL: "http://sch7.example.ru/news/3.html", Kind: mapping.KindNews, Title: "Новогодний концерт"})
	if err := putPlan(ws, schoolOrg.ID, plan); err != nil {
		t.Fatal(err)
	}
	c.Set("2023-12-20 10:00")
	walk(t, ws, c, schoolOrg.ID, toVerified...)
	c.Set("2023-12-22 10:00")
	second, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	a := second.Act
	if a.Number != "38-0001" || a.Version != 2 || second.Supersede == nil || second.Supersede.Version != 1 || a.Items != 11 {
		t.Fatalf("second act %+v (supersedes %+v)", a, second.Supersede)
	}
	if a.ManifestSHA256 == first.Act.ManifestSHA256 || !strings.HasSuffix(a.PDF, "-v2.pdf") {
		t.Fatalf("v2 shares v1's manifest or file: %+v", a)
	}
	acts, _ := Acts(ws, schoolOrg.ID)
	if len(acts) != 2 || acts[0].Signature == nil || acts[0].ManifestSHA256 != first.Act.ManifestSHA256 {
		t.Fatalf("v1 changed: %+v", acts[0])
	}
	if now, _ := os.ReadFile(filepath.Join(ws.Dir, first.Act.PDF)); string(now) != string(v1pdf) {
		t.Fatal("the signed v1 PDF was rewritten")
	}
	text := pdfText(t, filepath.Join(ws.Dir, a.PDF))
	for _, s := range []string{"№ 38-0001, версия 2", "Настоящая версия 2 заменяет версию 1 акта № 38-0001 от 12.11.2023", "подписана Иванова А. П. 20.11.2023", "перенесён повторно"} {
		if !strings.Contains(text, s) {
			t.Errorf("v2's text lacks %q", s)
		}
	}
	copyArtifact(t, filepath.Join(ws.Dir, a.PDF), "act-school-v2.pdf")
}

func TestActNumbersPerRegion(t *testing.T) {
	c := &clock{}
	c.Set("2023-11-01 09:00")
	ws := openAt(t, c)
	orgs := []store.Org{
		{ID: "3801000001", Name: "Школа № 1", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://s1.example/", PortalSite: "s1"},
		{ID: "9501000001", Name: "Школа № 1 г. Херсона", Type: store.School, Region: "Херсонская область", District: "Генический МО", LegacyURL: "http://k1.example/", PortalSite: "k1"},
		{ID: "3801000002", Name: "Школа № 2", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://s2.example/", PortalSite: "s2"},
		{ID: "sch-3", Name: "Школа № 3", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://s3.example/", PortalSite: "s3", Settings: map[string]string{"region_code": "38"}},
		{ID: "sch-4", Name: "Школа № 4", Type: store.School, Region: "Иркутская область", District: "Ангарский ГО", LegacyURL: "http://s4.example/", PortalSite: "s4"},
	}
	for _, o := range orgs {
		if _, err := ws.UpsertOrg("test", o); err != nil {
			t.Fatal(err)
		}
		if err := putPlan(ws, o.ID, &mapping.Plan{Org: o.ID}); err != nil {
			t.Fatal(err)
		}
		walk(t, ws, c, o.ID, toVerified...)
	}
	var got []string
	for _, o := range orgs[:4] {
		ia, err := IssueAct(ws, o.ID, actOptions(ws))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ia.Act.Number)
	}
	if strings.Join(got, " ") != "38-0001 95-0001 38-0002 38-0003" {
		t.Fatalf("numbers %v", got)
	}
	if _, err := IssueAct(ws, "sch-4", actOptions(ws)); err == nil || !strings.Contains(err.Error(), "region_code") {
		t.Fatalf("an ID that is no ИНН and no region_code: %v", err)
	}
	if o, _ := ws.Org("sch-4"); o.State != store.Verified {
		t.Fatalf("a failed issue moved the site to %s", o.State)
	}
}

func TestActWithoutLegacySite(t *testing.T) {
	c := &clock{}
	c.Set("2023-11-01 09:00")
	ws := openAt(t, c)
	ds := store.Org{ID: "3801034567", Name: "МБДОУ «Детский сад № 12» г. Ангарска", Type: store.Preschool, Region: "Иркутская область",
		District: "Ангарский городской округ", PortalSite: "ds12-angarsk-r38"}
	if _, err := ws.UpsertOrg("test", ds); err != nil {
		t.Fatal(err)
	}
	plan := &mapping.Plan{Org: ds.ID, Type: store.Preschool, Sections: []mapping.SectionPlan{{ID: "sveden/common", Title: "Основные сведения", Mandated: true}},
		Gaps: []mapping.Gap{{Section: "sveden/common", Why: "на старом сайте нет раздела «Основные сведения»"}}}
	if err := putPlan(ws, ds.ID, plan); err != nil {
		t.Fatal(err)
	}
	walk(t, ws, c, ds.ID, store.StageMap, store.StageReview, store.StageApprove, store.StageUpload, store.StageVerify)
	ia, err := IssueAct(ws, ds.ID, actOptions(ws))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Act.Items != 0 || ia.view.Crawled != "не проводился: прежнего сайта нет" {
		t.Fatalf("%+v %q", ia.Act, ia.view.Crawled)
	}
	text := pdfText(t, filepath.Join(ws.Dir, ia.Act.PDF))
	for _, s := range []string{"прежнего официального сайта у организации нет", "дошкольная образовательная организация", "Детский сад № 12"} {
		if !strings.Contains(text, s) {
			t.Errorf("the act of a site without a legacy site lacks %q", s)
		}
	}
	copyArtifact(t, filepath.Join(ws.Dir, ia.Act.PDF), "act-no-legacy.pdf")
}

func TestIssueActsBatchAndCombinedPDF(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	other := schoolOrg
	other.ID, other.Name, other.PortalSite, other.LegacyURL = "3801099999", "МБОУ «Гимназия № 1» г. Ангарска", "gym1-angarsk-r38", "http://gym1.example.ru/"
	mapped := other
	mapped.ID, mapped.Name, mapped.PortalSite = "3801088888", "МБОУ СОШ № 10", "s10"
	for _, o := range []store.Org{other, mapped} {
		if _, err := ws.UpsertOrg("test", o); err != nil {
			t.Fatal(err)
		}
		if err := putPlan(ws, o.ID, schoolPlan(o.ID)); err != nil {
			t.Fatal(err)
		}
	}
	walk(t, ws, c, other.ID, toVerified...)
	walk(t, ws, c, mapped.ID, toVerified[:3]...)
	all, _ := ws.Orgs()
	res, err := IssueActs(t.Context(), ws, all, true, actOptions(ws))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Issued) != 2 || len(res.Skipped) != 1 || res.Skipped[0].Org != mapped.ID || len(res.Failed) != 0 || res.Combined == "" {
		t.Fatalf("%+v", res)
	}
	text := pdfText(t, filepath.Join(ws.Dir, res.Combined))
	for _, s := range []string{schoolOrg.Name, other.Name, "38-0001", "38-0002"} {
		if !strings.Contains(text, s) {
			t.Errorf("the combined PDF lacks %q", s)
		}
	}
	single := pdfText(t, filepath.Join(ws.Dir, res.Issued[0].Act.PDF))
	pages := regexp.MustCompile(`стр\. \d+ из (\d+)`).FindStringSubmatch(single)
	if pages == nil || !strings.Contains(text, "стр. 1 из "+pages[1]) {
		t.Errorf("the combined PDF does not number each act's pages on its own")
	}
}

func TestUnsignedActStandsWhenContentIsUnchanged(t *testing.T) {
	ws, c, _ := verifiedSchool(t)
	opt := actOptions(ws)
	first, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	c.Set("2023-11-15 10:00")
	walk(t, ws, c, schoolOrg.ID, toVerified...)
	again, err := IssueAct(ws, schoolOrg.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Unchanged || again.Act.Version != 1 || again.Act.Number != first.Act.Number {
		t.Fatalf("unchanged re-migration: %+v", again)
	}
	if o, _ := ws.Org(schoolOrg.ID); o.State != store.ActIssued {
		t.Fatalf("state %s", o.State)
	}
	if acts, _ := Acts(ws, schoolOrg.ID); len(acts) != 1 {
		t.Fatalf("%d versions, want 1", len(acts))
	}
}

// An act whose files cannot be written leaves no trace in the ledger: its
// number is not used up, so the region's numbering has no gap.
func TestAFailedIssueBurnsNoNumber(t *testing.T) {
	ws, _, _ := verifiedSchool(t)
	opt := actOptions(ws)
	blocked := filepath.Join(t.TempDir(), "not-a-folder")
	if err := os.WriteFile(blocked, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	opt.Dir = blocked // writing act files under a plain file fails
	if _, err := IssueAct(ws, schoolOrg.ID, opt); err == nil {
		t.Fatal("issuing into an unwritable folder succeeded")
	}
	if n, _ := ws.Seq("act/38"); n != 0 {
		t.Fatalf("a failed issue used up act number %d", n)
	}
	if o, _ := ws.Org(schoolOrg.ID); o.State != store.Verified {
		t.Fatalf("state after a failed issue: %s", o.State)
	}
	ia, err := IssueAct(ws, schoolOrg.ID, actOptions(ws))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Act.Number != "38-0001" {
		t.Fatalf("the next issue got %s, want 38-0001", ia.Act.Number)
	}
}

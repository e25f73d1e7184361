package report

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"perenos/mapping"
	"perenos/store"
)

// pgm is one page rendered by pdftoppm in shades of grey.
type pgm struct {
	w, h int
	pix  []byte
	dpi  float64
}

func (p *pgm) mm(v float64) int { return int(v / 25.4 * p.dpi) }

// ink reports whether a pixel is darker than paper.
func (p *pgm) ink(x, y int) bool { return p.pix[y*p.w+x] < 200 }

// renderPGM renders every page of a PDF with pdftoppm and reads the pages.
func renderPGM(t *testing.T, pdf string, dpi int) []*pgm {
	t.Helper()
	bin := needTool(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command(bin, "-gray", "-r", strconv.Itoa(dpi), pdf, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm %s: %v: %s", pdf, err, out)
	}
	files, _ := filepath.Glob(prefix + "-*.pgm")
	if len(files) == 0 {
		t.Fatalf("pdftoppm rendered no page of %s", pdf)
	}
	var pages []*pgm
	for _, f := range files { // pdftoppm pads page numbers to one width, so names sort in page order
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := bytes.NewReader(data)
		var magic string
		var w, h, maxv int
		if _, err := fmt.Fscan(r, &magic, &w, &h, &maxv); err != nil || magic != "P5" || maxv != 255 {
			t.Fatalf("%s is not an 8-bit PGM: %v", f, err)
		}
		if len(data) < w*h {
			t.Fatalf("%s: short pixel data", f)
		}
		pages = append(pages, &pgm{w: w, h: h, pix: data[len(data)-w*h:], dpi: float64(dpi)}) // the pixels end the file
	}
	return pages
}

// checkFooter is the pixel check of one page's footer: nothing of the
// body between the bottom margin and the footer, and the footer's text
// and the page number apart, the number at the right margin.
func checkFooter(t *testing.T, name string, page int, p *pgm) {
	t.Helper()
	rowInk := func(y int) bool {
		for x := 0; x < p.w; x++ {
			if p.ink(x, y) {
				return true
			}
		}
		return false
	}
	for y := p.mm(pageH-marginB) + 2; y < p.mm(pageH-footerY)-2; y++ {
		if rowInk(y) {
			t.Errorf("%s page %d: the body runs into the footer band at %.1f mm from the top", name, page, float64(y)/p.dpi*25.4)
			break
		}
	}
	top, bottom := p.mm(pageH-footerY)-1, p.mm(pageH-footerY+4)+1
	cols := make([]bool, p.w)
	any := false
	for x := 0; x < p.w; x++ {
		for y := top; y <= bottom; y++ {
			if p.ink(x, y) {
				cols[x], any = true, true
				break
			}
		}
	}
	if !any {
		t.Fatalf("%s page %d: no footer", name, page)
	}
	// Runs of ink, joined across gaps narrower than 2.5 mm (the spaces
	// between words): the footer's text and the page number.
	type run struct{ from, to int }
	var runs []run
	for x := 0; x < p.w; x++ {
		if !cols[x] {
			continue
		}
		if n := len(runs); n > 0 && x-runs[n-1].to <= p.mm(2.5) {
			runs[n-1].to = x
		} else {
			runs = append(runs, run{x, x})
		}
	}
	if len(runs) != 2 {
		t.Errorf("%s page %d: the footer is %d runs of text, want the act's name and the page number apart: %v", name, page, len(runs), runs)
		return
	}
	if gap := float64(runs[1].from-runs[0].to) / p.dpi * 25.4; gap < 5 {
		t.Errorf("%s page %d: %.1f mm between the footer's text and the page number", name, page, gap)
	}
	if right := float64(runs[1].to) / p.dpi * 25.4; right > 210-marginR+0.5 || right < 210-marginR-3 {
		t.Errorf("%s page %d: the page number ends at %.1f mm, not at the right margin (%.0f mm)", name, page, right, 210-marginR)
	}
}

// pageTexts reads each page's text with pdftotext.
func pageTexts(t *testing.T, pdf string, pages int) []string {
	t.Helper()
	bin := needTool(t, "pdftotext")
	var out []string
	for i := 1; i <= pages; i++ {
		b, err := exec.Command(bin, "-enc", "UTF-8", "-f", strconv.Itoa(i), "-l", strconv.Itoa(i), pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(strings.Fields(string(b)), " "))
	}
	return out
}

// bigSchool is a school with a long name, every mandated section of the
// school profile, hundreds of items excluded automatically and more
// decisions than the act lists in its body.
func bigSchool(t *testing.T, decisions int) (*store.Workspace, *clock) {
	t.Helper()
	c := &clock{}
	c.Set("2023-11-01 09:00")
	ws := openAt(t, c)
	o := schoolOrg
	o.Name = "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 7 с углублённым изучением отдельных предметов имени Героя Советского Союза И. И. Иванова» города Ангарска"
	if _, err := ws.UpsertOrg("test", o); err != nil {
		t.Fatal(err)
	}
	profiles, err := mapping.LoadProfiles("")
	if err != nil {
		t.Fatal(err)
	}
	plan := &mapping.Plan{Org: o.ID, Type: store.School}
	base := "http://sch7.example.ru"
	for i, s := range profiles[store.School].Sections {
		sp := mapping.SectionPlan{ID: s.ID, Title: s.Title, Mandated: s.Mandated}
		for k := range 3 {
			key := fmt.Sprintf("/%s/%d.html", s.ID, k)
			sp.Items = append(sp.Items, mapping.Item{Key: key, SourceURL: base + key, Kind: []string{mapping.KindPage, mapping.KindDocument, mapping.KindRecord}[(i+k)%3], Title: s.Title})
		}
		plan.Sections = append(plan.Sections, sp)
		if i%4 == 0 {
			plan.Gaps = append(plan.Gaps, mapping.Gap{Section: s.ID, Why: "не найдено: " + strings.ToLower(s.Title)})
		}
	}
	var ovs []mapping.Override
	for i := range 300 {
		key := fmt.Sprintf("/print/%d.html", i)
		plan.Excluded = append(plan.Excluded, mapping.Item{Key: key, SourceURL: base + key, Kind: mapping.KindPage, Title: "Версия для печати", Reason: "копия страницы"})
	}
	for i := range decisions {
		key := fmt.Sprintf("/spiski/%d.html", i)
		plan.Excluded = append(plan.Excluded, mapping.Item{Key: key, SourceURL: base + key, Kind: mapping.KindPage, Title: fmt.Sprintf("Списки зачисленных в %d класс", i+1)})
		ovs = append(ovs, mapping.Override{Key: key, Exclude: "персональные данные детей (152-ФЗ)", Actor: "admin:" + o.ID, At: c.Now()})
	}
	if err := putPlan(ws, o.ID, plan); err != nil {
		t.Fatal(err)
	}
	if err := ws.Update(func(tx store.Tx) error {
		for i := range ovs {
			if err := mapping.Overrides.Put(tx, o.ID, ovs[i].Key, &ovs[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	walk(t, ws, c, o.ID, toVerified...)
	c.Set("2023-11-12 11:00")
	return ws, c
}

// A director signs after reading two pages: the act proper, signatures
// included, fits on two pages even for a large school; every page is
// rendered, and its footer's page number never overlaps the act's name
// (issue 17, coordinators).
func TestActFitsTwoPagesAndItsFooterIsClear(t *testing.T) {
	for _, c := range []struct {
		name      string
		decisions int
		pages     int // the whole PDF
	}{
		{"few decisions", 4, 2},
		{"decisions in an appendix", 25, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws, _ := bigSchool(t, c.decisions)
			ia, err := IssueAct(ws, schoolOrg.ID, actOptions(ws))
			if err != nil {
				t.Fatal(err)
			}
			pdf := filepath.Join(ws.Dir, ia.Act.PDF)
			pages := renderPGM(t, pdf, 100)
			if len(pages) != c.pages {
				t.Errorf("%d pages, want %d", len(pages), c.pages)
			}
			texts := pageTexts(t, pdf, len(pages))
			signedOn := 0
			for i, text := range texts {
				checkFooter(t, c.name, i+1, pages[i])
				if !strings.Contains(text, fmt.Sprintf("стр. %d из %d", i+1, len(pages))) {
					t.Errorf("page %d lacks «стр. %d из %d»", i+1, i+1, len(pages))
				}
				if strings.Contains(text, "Подписи сторон") {
					signedOn = i + 1
				}
			}
			if signedOn == 0 || signedOn > 2 {
				t.Errorf("the signatures are on page %d, want one of the first two", signedOn)
			}
			all := strings.Join(texts, " ")
			for _, s := range []string{"300 материалов прежнего сайта не перенесены без участия человека",
				fmt.Sprintf("По решению организации при проверке плана не перенесено %d", c.decisions), "Списки зачисленных в 1 класс"} {
				if !strings.Contains(all, s) {
					t.Errorf("the act lacks %q", s)
				}
			}
			if strings.Contains(all, "/print/") {
				t.Errorf("the act lists items excluded automatically")
			}
			appendix := slices.IndexFunc(texts, func(s string) bool { return strings.Contains(s, "Приложение к акту № 38-0001") }) + 1
			if c.decisions > maxInlineDecided && appendix != signedOn+1 {
				t.Errorf("the decisions' appendix starts on page %d, want the page after the signatures (%d)", appendix, signedOn)
			}
			copyArtifact(t, pdf, "act-big-"+strings.ReplaceAll(c.name, " ", "-")+".pdf")
			renderPNG(t, pdf, "act-big-"+strings.ReplaceAll(c.name, " ", "-"))
		})
	}
}

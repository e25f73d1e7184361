package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
)

// DejaVu Sans, embedded so that acts print Cyrillic on any machine; see
// fonts/LICENSE.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

// Page geometry of acts, in millimetres (A4 portrait).
const (
	pdfFont = "DejaVu"
	pageH   = 297.0
	marginL = 20.0
	marginR = 15.0
	marginT = 15.0
	marginB = 18.0
	textW   = 210.0 - marginL - marginR
	lineH   = 4.2
)

// actPDF renders acts into one document; each act starts on a new page
// and numbers its own pages.
type actPDF struct {
	pdf   *fpdf.Fpdf
	cur   *actView
	start int // the current act's first page
	total int // the current act's page count; 0 while unknown
}

// renderActsPDF renders acts into one PDF. Each act is laid out twice:
// once to count its pages, then for good with "page N of M" footers.
func renderActsPDF(views []*actView) ([]byte, error) {
	if len(views) == 0 {
		return nil, fmt.Errorf("no acts to render")
	}
	totals := make([]int, len(views))
	for i, v := range views {
		w := newActPDF(v)
		w.act(v, 0)
		if err := w.pdf.Error(); err != nil {
			return nil, err
		}
		totals[i] = w.pdf.PageCount()
	}
	w := newActPDF(views[0])
	for i, v := range views {
		w.act(v, totals[i])
	}
	var buf bytes.Buffer
	if err := w.pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func newActPDF(first *actView) *actPDF {
	p := fpdf.New("P", "mm", "A4", "")
	p.AddUTF8FontFromBytes(pdfFont, "", fontRegular)
	p.AddUTF8FontFromBytes(pdfFont, "B", fontBold)
	p.SetMargins(marginL, marginT, marginR)
	p.SetAutoPageBreak(true, marginB)
	p.SetTitle(first.Title+" № "+first.Number, true)
	p.SetSubject(first.OrgName, true)
	p.SetCreator("perenos", true)
	p.SetProducer("perenos", true)
	p.SetLang("ru-RU")
	// Dates and object order fixed by the act, so the same act gives the same bytes.
	p.SetCreationDate(first.Issued)
	p.SetModificationDate(first.Issued)
	p.SetCatalogSort(true)
	w := &actPDF{pdf: p}
	p.SetFooterFunc(w.footer)
	return w
}

// footerY is where the footer's line starts, from the bottom of the page:
// below the body's margin, with room between.
const footerY = 12.0

// footer prints, on every page, the act it belongs to and the page's
// number. The act's name is shortened to leave the number room, so the
// two never overlap.
func (w *actPDF) footer() {
	v, p := w.cur, w.pdf
	if v == nil {
		return
	}
	p.SetFont(pdfFont, "", 7.5)
	p.SetTextColor(90, 90, 90)
	page := fmt.Sprintf("стр. %d", p.PageNo()-w.start+1)
	if w.total > 0 {
		page += fmt.Sprintf(" из %d", w.total)
	}
	pw := p.GetStringWidth(page)
	avail := textW - pw - 8 // at least 8 mm between the two
	prefix, suffix := fmt.Sprintf("Акт № %s, версия %d · ", v.Number, v.Version), " · ИНН/ID "+v.OrgID
	name := []rune(v.OrgName)
	left := prefix + string(name) + suffix
	for len(name) > 0 && p.GetStringWidth(left) > avail {
		name = name[:len(name)-1]
		left = prefix + strings.TrimSpace(string(name)) + "…" + suffix
	}
	y := pageH - footerY
	p.SetXY(marginL, y)
	p.CellFormat(avail, 4, left, "", 0, "L", false, 0, "")
	p.SetXY(marginL+textW-pw, y)
	p.CellFormat(pw, 4, page, "", 0, "R", false, 0, "")
	p.SetTextColor(0, 0, 0)
}

// maxInlineDecided is how many items excluded by a person the act lists
// in its body; more go to an appendix after the signatures, so that the
// act proper stays short enough to read before signing.
const maxInlineDecided = 10

// act lays out one act starting on a new page.
func (w *actPDF) act(v *actView, total int) {
	p := w.pdf
	p.AddPage() // the previous act's last footer is drawn here, before cur changes
	w.cur, w.start, w.total = v, p.PageNo(), total

	p.SetFont(pdfFont, "B", 14)
	p.CellFormat(0, 7, v.Title, "", 1, "C", false, 0, "")
	p.SetFont(pdfFont, "B", 12)
	p.CellFormat(0, 6, fmt.Sprintf("№ %s, версия %d", v.Number, v.Version), "", 1, "C", false, 0, "")
	p.Ln(2)
	p.SetFont(pdfFont, "", 10)
	p.CellFormat(textW/2, 5, v.Region, "", 0, "L", false, 0, "")
	p.CellFormat(textW/2, 5, v.IssuedDate, "", 1, "R", false, 0, "")
	p.Ln(2)
	if v.Prior != "" {
		p.SetFillColor(255, 243, 205)
		p.SetFont(pdfFont, "B", 9)
		p.MultiCell(0, lineH, v.Prior, "1", "L", true)
		p.Ln(2)
	}
	w.para(v.intro())

	w.heading("1. Организация, сайты и ход работ")
	kv := pdfTable{widths: []float64{68, textW - 68}, aligns: "LL", label: true}
	place := v.Region
	if v.District != "" {
		place += ", " + v.District
	}
	kv.rows(w, [][]string{
		{"Наименование", v.OrgName},
		{"ИНН (идентификатор в реестре)", v.OrgID},
		{"Тип организации", v.OrgType},
		{"Субъект РФ, муниципальное образование", place},
		{"Прежний сайт", v.legacyText()},
		{"Новый сайт на портале", v.SiteURL + " (идентификатор " + v.PortalSite + ")"},
		{"Обход, загрузка, проверка", fmt.Sprintf("%s; %s; %s (по журналу событий, время %s)", v.Crawled, v.Uploaded, v.Verified, v.Zone)},
	})

	w.heading("2. Перенесено по разделам")
	n := 22.0
	t := pdfTable{widths: []float64{textW - 4*n, n, n, n, n}, aligns: "LRRRR",
		header: []string{"Раздел (* — обязательный)", "Страниц", "Документов", "Записей", "Новостей"}}
	var rows [][]string
	for _, s := range v.Sections {
		title := s.Title
		if s.Mandated {
			title += " *"
		}
		rows = append(rows, []string{title, itoa(s.Pages), itoa(s.Documents), itoa(s.Records), itoa(s.News)})
	}
	totals := []string{"Итого", itoa(v.Totals.Pages), itoa(v.Totals.Documents), itoa(v.Totals.Records), itoa(v.Totals.News)}
	t.keepLast = t.height(w, totals) // the total stays with the last section
	t.rows(w, rows)
	t.bold, t.header, t.keepLast = true, nil, 0
	t.rows(w, [][]string{totals})

	w.heading("3. Обязательные сведения, которых на сайте ещё нет")
	if len(v.Gaps) == 0 {
		w.para(noGapsText)
	} else {
		w.para(fmt.Sprintf("Организации предстоит разместить (%d):", len(v.Gaps)))
		g := pdfTable{widths: []float64{70, textW - 70}, aligns: "LL", header: []string{"Раздел", "Чего нет"}}
		rows = rows[:0]
		for _, x := range v.Gaps {
			rows = append(rows, []string{x.Section, x.What})
		}
		g.rows(w, rows)
	}

	w.heading("4. Не перенесено")
	rest := v.restText()
	switch {
	case len(v.Decided) == 0 && rest == "":
		w.para(v.allMigratedText())
	case len(v.Decided) > maxInlineDecided:
		w.para(v.decidedText() + " их перечень — в приложении к настоящему акту.")
	case len(v.Decided) > 0:
		w.para(v.decidedText())
		w.decided(v.Decided)
		p.Ln(1.5)
	}
	if rest != "" {
		w.para(rest)
	}

	// The checksum and the signatures share a page: the page that is
	// signed names what it covers.
	if p.GetY() > pageH-marginB-signaturesH-28 {
		p.AddPage()
	}
	w.heading("5. Контрольная сумма перенесённого")
	w.para(fmt.Sprintf("Перечень перенесённых материалов (%s; по строке на материал: вид, раздел, адрес источника, SHA-256 содержимого) хранится в файле %s. Его SHA-256:",
		countOf(v.Items, "позиция", "позиции", "позиций"), v.ManifestFile))
	p.SetFont(pdfFont, "B", 9)
	p.CellFormat(0, 5, v.Digest, "", 1, "L", false, 0, "")

	w.signatures()

	if len(v.Decided) > maxInlineDecided {
		p.AddPage()
		p.SetFont(pdfFont, "B", 11)
		p.MultiCell(0, 5.5, fmt.Sprintf("Приложение к акту № %s, версия %d: материалы, не перенесённые по решению организации", v.Number, v.Version), "", "L", false)
		p.Ln(1)
		w.para(v.decidedText())
		w.decided(v.Decided)
	}
}

// decided lists items a person excluded, with the decision.
func (w *actPDF) decided(items []itemRow) {
	e := pdfTable{widths: []float64{95, textW - 95}, aligns: "LL", header: []string{"Материал прежнего сайта", "Решение: причина, кто и когда"}}
	var rows [][]string
	for _, x := range items {
		what := x.Source
		if x.Title != "" {
			what = x.Title + "\n" + x.Source
		}
		rows = append(rows, []string{what, x.Reason})
	}
	e.rows(w, rows)
}

func (w *actPDF) heading(s string) {
	p := w.pdf
	if p.GetY() > pageH-marginB-20 {
		p.AddPage()
	}
	p.Ln(2)
	p.SetFont(pdfFont, "B", 10.5)
	p.CellFormat(0, 5.5, s, "", 1, "L", false, 0, "")
	p.Ln(0.5)
}

func (w *actPDF) para(s string) {
	w.pdf.SetFont(pdfFont, "", 9)
	w.pdf.MultiCell(0, lineH, s, "", "L", false)
	w.pdf.Ln(1)
}

// signaturesH is the height of the signatures' block, in millimetres.
const signaturesH = 64.0

// signatures draws the places for the two signatures, kept on one page.
func (w *actPDF) signatures() {
	p := w.pdf
	if p.GetY() > pageH-marginB-signaturesH {
		p.AddPage()
	}
	p.Ln(3)
	w.para("Акт составлен в двух экземплярах, по одному для организации и для министерства.")
	p.Ln(1)
	p.SetFont(pdfFont, "B", 10)
	p.CellFormat(0, 6, "Подписи сторон", "", 1, "L", false, 0, "")
	p.Ln(2)
	colW := textW/2 - 4
	y := p.GetY()
	for i, side := range [][2]string{{"От организации", "Руководитель организации"}, {"От министерства", "Представитель министерства"}} {
		x := marginL + float64(i)*(colW+8)
		p.SetXY(x, y)
		p.SetFont(pdfFont, "B", 9.5)
		p.CellFormat(colW, 5, side[0], "", 2, "L", false, 0, "")
		p.SetFont(pdfFont, "", 9.5)
		p.CellFormat(colW, 5, side[1], "", 2, "L", false, 0, "")
		p.Ln(10)
		p.SetX(x)
		p.CellFormat(colW, 5, "_____________ / _______________________ /", "", 2, "L", false, 0, "")
		p.SetFont(pdfFont, "", 7)
		p.SetTextColor(90, 90, 90)
		p.CellFormat(colW, 3.5, "      (подпись)                        (фамилия, инициалы)", "", 2, "L", false, 0, "")
		p.SetTextColor(0, 0, 0)
		p.SetFont(pdfFont, "", 9.5)
		p.Ln(4)
		p.SetX(x)
		p.CellFormat(colW, 5, "«____» _______________ 20____ г.", "", 2, "L", false, 0, "")
		p.Ln(3)
		p.SetX(x)
		p.CellFormat(colW, 5, "М. П.", "", 2, "L", false, 0, "")
	}
}

// pdfTable draws rows of wrapped cells; the header is repeated on each page.
type pdfTable struct {
	widths []float64
	aligns string
	header []string
	label  bool // the first column is a shaded label
	bold   bool
	// keepLast is the height of what must follow the last row on its page.
	keepLast float64
}

func (t *pdfTable) rows(w *actPDF, rows [][]string) {
	if t.header != nil {
		t.row(w, t.header, true)
	}
	for i, r := range rows {
		h := t.height(w, r)
		if i == len(rows)-1 {
			h += t.keepLast
		}
		if w.pdf.GetY()+h > pageH-marginB {
			w.pdf.AddPage()
			if t.header != nil {
				t.row(w, t.header, true)
			}
		}
		t.row(w, r, false)
	}
}

// Font sizes of table cells and of table headers.
const (
	cellFont = 8.5
	headFont = 8.0
)

func fontSize(head bool) float64 {
	if head {
		return headFont
	}
	return cellFont
}

func (t *pdfTable) lines(w *actPDF, cells []string, head bool) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		w.pdf.SetFont(pdfFont, t.style(i, head), fontSize(head))
		for _, para := range splitLines(c) {
			ls := w.pdf.SplitText(para, t.widths[i])
			if len(ls) == 0 {
				ls = []string{""}
			}
			out[i] = append(out[i], ls...)
		}
	}
	return out
}

func (t *pdfTable) style(col int, head bool) string {
	if head || t.bold || (t.label && col == 0) {
		return "B"
	}
	return ""
}

func (t *pdfTable) height(w *actPDF, cells []string) float64 {
	n := 1
	for _, l := range t.lines(w, cells, false) {
		n = max(n, len(l))
	}
	return float64(n)*lineH + cellPad
}

// cellPad is a table row's room above and below its lines.
const cellPad = 1.4

func (t *pdfTable) row(w *actPDF, cells []string, head bool) {
	p := w.pdf
	lines := t.lines(w, cells, head)
	n := 1
	for _, l := range lines {
		n = max(n, len(l))
	}
	h := float64(n)*lineH + cellPad
	y := p.GetY()
	x := marginL
	for i := range cells {
		fill := head || (t.label && i == 0)
		if fill {
			p.SetFillColor(236, 239, 243)
			p.Rect(x, y, t.widths[i], h, "FD")
		} else {
			p.Rect(x, y, t.widths[i], h, "D")
		}
		p.SetFont(pdfFont, t.style(i, head), fontSize(head))
		align := string(t.aligns[i])
		if head {
			align = "C"
		}
		for j, ln := range lines[i] {
			p.SetXY(x, y+cellPad/2+float64(j)*lineH)
			p.CellFormat(t.widths[i], lineH, ln, "", 0, align, false, 0, "")
		}
		x += t.widths[i]
	}
	p.SetXY(marginL, y+h)
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func itoa(n int) string { return fmt.Sprint(n) }

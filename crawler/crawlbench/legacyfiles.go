package crawlbench

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf16"
)

// fileBody is the bytes of file fi of the site: a PDF with a text layer
// or a DOCX, a page or two of the document's invented text.
func (p *sitePlan) fileBody(fi int) []byte {
	f := p.files[fi]
	rng := rand.New(rand.NewPCG(seedOf(p.site.Index, "file", fi), 13))
	lines := append(wrap(p.site.Name, 90), "", strings.ToUpper(f.title), "от "+f.date, "")
	for range 6 + rng.IntN(20) {
		lines = append(lines, wrap(sentence(rng, p.site.Type, p.facts.managers[0], f.date), 90)...)
	}
	lines = append(lines, "", managerPosts[p.site.Type][0]+" ____________ "+p.facts.managers[0].initials())
	if f.docx {
		return docx(lines)
	}
	return pdf(lines)
}

// wrap breaks text into lines of at most n runes.
func wrap(text string, n int) []string {
	var out []string
	var line []string
	size := 0
	for _, w := range strings.Fields(text) {
		l := len([]rune(w))
		if size+l+1 > n && len(line) > 0 {
			out = append(out, strings.Join(line, " "))
			line, size = nil, 0
		}
		line = append(line, w)
		size += l + 1
	}
	if len(line) > 0 {
		out = append(out, strings.Join(line, " "))
	}
	return out
}

// pdf writes lines as a PDF whose text layer maps each UTF-16 code to
// itself (an Identity-H font with a ToUnicode map), so that pdftotext
// reads the Russian text back; 50 lines go on a page.
func pdf(lines []string) []byte {
	const perPage = 50
	pages := (len(lines) + perPage - 1) / perPage
	var b bytes.Buffer
	var offs []int
	obj := func(s string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), s)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// objects: 1 catalog, 2 pages, 3 font, 4 descendant, 5 cmap,
	// 6 descriptor, then a page and its content for each page
	kids := make([]string, pages)
	for i := range kids {
		kids[i] = fmt.Sprintf("%d 0 R", 7+2*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), pages))
	obj("<< /Type /Font /Subtype /Type0 /BaseFont /TimesNewRoman /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>")
	obj("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TimesNewRoman /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 500 >>")
	cmap := "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def " +
		"/CMapName /Adobe-Identity-UCS def /CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange " +
		"4 beginbfrange <0000> <00FF> <0000> <0400> <04FF> <0400> <2000> <20FF> <2000> <2100> <21FF> <2100> endbfrange endcmap " +
		"CMapName currentdict /CMap defineresource pop end end"
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(cmap), cmap))
	obj("<< /Type /FontDescriptor /FontName /TimesNewRoman /Flags 34 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>")
	for i := range pages {
		var c bytes.Buffer
		c.WriteString("BT /F1 11 Tf 14 TL 56 790 Td\n")
		for _, l := range lines[i*perPage : min((i+1)*perPage, len(lines))] {
			c.WriteByte('<')
			for _, u := range utf16.Encode([]rune(l)) {
				fmt.Fprintf(&c, "%04X", u)
			}
			c.WriteString("> Tj T*\n")
		}
		c.WriteString("ET")
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 8+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, x)
	return b.Bytes()
}

// docx writes lines as a minimal Word document, one paragraph a line.
func docx(lines []string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	put := func(name, body string) {
		w, _ := z.Create(name)
		w.Write([]byte(body))
	}
	put("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>`+
		`<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	put("_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+
		`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	var d strings.Builder
	d.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, l := range lines {
		d.WriteString("<w:p><w:r><w:t xml:space=\"preserve\">")
		xmlEscape(&d, l)
		d.WriteString("</w:t></w:r></w:p>")
	}
	d.WriteString(`<w:sectPr/></w:body></w:document>`)
	put("word/document.xml", d.String())
	z.Close()
	return b.Bytes()
}

func xmlEscape(b *strings.Builder, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	r.WriteString(b, s)
}

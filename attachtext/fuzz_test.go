package attachtext

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzBytes feeds arbitrary bytes under each name to the pure-Go readers
// (PDF, DOCX, ODT, text): an error or a result, never a panic or a hang,
// and never more text than the limit. The limits on unpacking are small
// here so that the fuzzer reaches them; the seeds include archives that
// break each of them (testdata/fuzz/FuzzBytes holds more).
// The external programs are left out: fuzzing them tests poppler, not us.
func FuzzBytes(f *testing.F) {
	for _, name := range []string{"ustav.pdf", "license-scan.pdf", "prikaz-priem.docx"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(name, b)
		}
	}
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, _ := z.Create("content.xml")
	w.Write([]byte(`<office:document-content><text:p>Приказ<text:tab/>№ 5</text:p></office:document-content>`))
	z.Close()
	f.Add("a.odt", buf.Bytes())
	f.Add("a.txt", []byte("\xcf\xf0\xe8\xea\xe0\xe7"))
	f.Add("a.pdf", []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj trailer<</Root 1 0 R>>"))
	// bombs: nested past the ratio, a lying declared size, many entries
	f.Add("nested.docx", zipOf(f, part{name: "word/document.xml", data: nested(300_000)}))
	f.Add("declared.docx", zipOf(f, part{name: "word/document.xml", raw: deflated(f, []byte("<w:t>x</w:t>")), unpacked: 1 << 40}))
	f.Add("entries.odt", zipOf(f, append(manyEntries(120), part{name: "content.xml", data: []byte("<text:p>x</text:p>")})...))
	opt := Options{PureGo: true, Timeout: 5 * time.Second, MaxText: 1 << 16, MaxUnpacked: 2 << 20, MaxRatio: 50}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		res, err := Bytes(context.Background(), name, data, opt)
		if err == nil && len(res.Text) > opt.MaxText {
			t.Fatalf("text over the limit: %d bytes", len(res.Text))
		}
		if errors.Is(err, ErrUnpackLimit) && res.Text != "" {
			t.Fatalf("a refused file returned text")
		}
		if h := budget.held.Load(); h < 0 {
			t.Fatalf("budget held %d", h)
		}
	})
}

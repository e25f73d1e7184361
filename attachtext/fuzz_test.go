package attachtext

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzBytes feeds arbitrary bytes under each name to the pure-Go readers
// (PDF, DOCX, ODT, text): an error or a result, never a panic or a hang.
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
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		res, err := Bytes(context.Background(), name, data, Options{PureGo: true, Timeout: 5 * time.Second, MaxText: 1 << 16})
		if err == nil && len(res.Text) > 1<<16 {
			t.Fatalf("text over the limit: %d bytes", len(res.Text))
		}
	})
}

package attachtext

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needTool skips a test whose program is missing, and fails it under CI.
func needTool(t *testing.T, have bool, name, pkg string) {
	t.Helper()
	if have {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (Debian package %s); CI must have it", name, pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s); skipping", name, pkg)
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pdfReaders runs a test with each PDF reader: pdftotext and pure Go.
func pdfReaders(t *testing.T, f func(t *testing.T, opt Options, method string)) {
	t.Run("pdftotext", func(t *testing.T) {
		needTool(t, HavePdftotext(), "pdftotext", "poppler-utils")
		f(t, Options{}, "pdftotext")
	})
	t.Run("go-pdf", func(t *testing.T) { f(t, Options{PureGo: true}, "go-pdf") })
}

func TestPDFText(t *testing.T) {
	pdfReaders(t, func(t *testing.T, opt Options, method string) {
		res, err := File(context.Background(), filepath.Join("testdata", "ustav.pdf"), opt)
		if err != nil {
			t.Fatal(err)
		}
		if res.Method != method || res.Format != "pdf" {
			t.Errorf("method %q format %q, want %q pdf", res.Method, res.Format, method)
		}
		if res.Scan {
			t.Errorf("a PDF with a text layer flagged as a scan")
		}
		if res.Pages != 2 {
			t.Errorf("pages = %d, want 2", res.Pages)
		}
		flat := strings.Join(strings.Fields(res.Text), " ")
		for _, want := range []string{"УСТАВ", "посёлка Северный", "Предметом деятельности"} {
			if !strings.Contains(flat, want) {
				t.Errorf("text lacks %q:\n%s", want, res.Text)
			}
		}
	})
}

func TestScannedPDF(t *testing.T) {
	pdfReaders(t, func(t *testing.T, opt Options, method string) {
		res, err := File(context.Background(), filepath.Join("testdata", "license-scan.pdf"), opt)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Scan {
			t.Errorf("an image-only PDF is not flagged as a scan (text %q)", res.Text)
		}
	})
}

func TestCorruptPDF(t *testing.T) {
	good := readFixture(t, "ustav.pdf")
	cases := map[string][]byte{
		"truncated.pdf": good[:len(good)/3],
		"garbage.pdf":   []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"),
		"empty.pdf":     {},
		"html.pdf":      []byte("<html><body>404 Not Found</body></html>"),
	}
	pdfReaders(t, func(t *testing.T, opt Options, method string) {
		for name, data := range cases {
			res, err := Bytes(context.Background(), name, data, opt)
			if err == nil {
				// a reader may recover some text from a damaged file, but
				// then it must not claim a full text layer from nothing
				if !res.Scan && len(res.Text) == 0 {
					t.Errorf("%s: no error and no text", name)
				}
				continue
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("%s: error does not name the file: %v", name, err)
			}
		}
	})
}

func TestDOCX(t *testing.T) {
	res, err := File(context.Background(), filepath.Join("testdata", "prikaz-priem.docx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Format != "docx" || res.Method != "docx" {
		t.Errorf("format %q method %q", res.Format, res.Method)
	}
	lines := strings.Split(res.Text, "\n")
	if len(lines) != 4 || lines[0] != "ПРИКАЗ № 112-о от 28.08.2024" || lines[3] != "Директор\tС. В. Круглова" {
		t.Errorf("paragraphs or tabs lost: %q", lines)
	}
}

func TestDOCXBroken(t *testing.T) {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	f, _ := z.Create("word/other.xml")
	f.Write([]byte("<x/>"))
	z.Close()
	cases := map[string][]byte{
		"no-document.docx": buf.Bytes(),
		"not-zip.docx":     []byte("PK\x03\x04 this is not really a zip"),
		"text.docx":        []byte("plain words"),
	}
	for name, data := range cases {
		_, err := Bytes(context.Background(), name, data, Options{})
		if err == nil || !strings.Contains(err.Error(), name) || !errors.Is(err, ErrBroken) {
			t.Errorf("%s: err = %v, want ErrBroken naming the file", name, err)
		}
	}
}

func TestDOC(t *testing.T) {
	needTool(t, HaveCatdoc(), "catdoc", "catdoc")
	// an OLE2 header with nothing behind it: catdoc must fail and the
	// error must name the file
	data := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...)
	_, err := Bytes(context.Background(), "polozhenie.doc", data, Options{})
	if err == nil || !strings.Contains(err.Error(), "polozhenie.doc") {
		t.Errorf("broken .doc: err = %v", err)
	}
	if _, err := Bytes(context.Background(), "x.doc", data, Options{PureGo: true}); !errors.Is(err, ErrNoTool) {
		t.Errorf("without catdoc: err = %v, want ErrNoTool", err)
	}
}

func TestLimits(t *testing.T) {
	data := readFixture(t, "ustav.pdf")
	if _, err := Bytes(context.Background(), "big.pdf", data, Options{MaxBytes: 100}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("size limit: err = %v", err)
	}
	res, err := Bytes(context.Background(), "ustav.pdf", data, Options{MaxText: 20, PureGo: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Text) > 20 {
		t.Errorf("text limit: truncated=%v len=%d", res.Truncated, len(res.Text))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Bytes(ctx, "ustav.pdf", data, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	if _, err := Bytes(context.Background(), "ustav.pdf", data, Options{Timeout: time.Nanosecond}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: err = %v", err)
	}
}

func TestDetectAndPlain(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"a.pdf", []byte("%PDF-1.7 ..."), "pdf"},
		{"download.php", []byte("%PDF-1.5 ..."), "pdf"},
		{"a.docx", []byte("PK\x03\x04word/"), "docx"},
		{"a.odt", []byte("PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.text"), "odt"},
		{"a.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "doc"},
		{"a.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, ""},
		{"a.txt", []byte("текст"), "txt"},
		{"a.jpg", []byte{0xFF, 0xD8}, ""},
	}
	for _, c := range cases {
		if got := Detect(c.name, c.data); got != c.want {
			t.Errorf("Detect(%s) = %q, want %q", c.name, got, c.want)
		}
	}
	cp1251 := []byte{0xcf, 0xf0, 0xe8, 0xea, 0xe0, 0xe7} // «Приказ»
	res, err := Bytes(context.Background(), "old.txt", cp1251, Options{})
	if err != nil || res.Text != "Приказ" {
		t.Errorf("windows-1251 text: %q %v", res.Text, err)
	}
	if _, err := Bytes(context.Background(), "photo.jpg", []byte{0xFF, 0xD8}, Options{}); !errors.Is(err, ErrUnsupported) {
		t.Errorf("jpg: err = %v, want ErrUnsupported", err)
	}
}

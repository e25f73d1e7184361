package report

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"
)

// noise is a grey image with enough detail that its encodings are well
// over 1 KB, as a scanned page is.
func noise(w, h int) image.Image {
	img := image.NewGray(image.Rect(0, 0, w, h))
	x := uint32(2463534242)
	for i := range img.Pix {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		img.Pix[i] = uint8(x)
	}
	return img
}

func encoded(t *testing.T, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	img := noise(96, 96)
	switch format {
	case "png":
		err = png.Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	case "tiff":
		err = tiff.Encode(&b, img, &tiff.Options{Compression: tiff.Deflate})
	case "pdf":
		return scanPDF(t, "проверка")
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The scan of a signed act must be a PDF, JPEG, PNG or TIFF of at least
// 1 KB that opens (issue 16 item 4: a 10-byte text file was accepted).
func TestScanMustBeAPictureOrPDFThatOpens(t *testing.T) {
	pdfinfo, _ := exec.LookPath("pdfinfo")
	valid := map[string][]byte{}
	for _, f := range []string{"pdf", "jpeg", "png", "tiff"} {
		valid[f] = encoded(t, f)
	}
	padded := func(prefix string) []byte { return append([]byte(prefix), bytes.Repeat([]byte("x"), 2000)...) }
	cases := []struct {
		name   string
		data   []byte
		format string // accepted as; "" means refused
		why    string // in the refusal
	}{
		{"ten-byte text", []byte("signed ok\n"), "", "10 bytes"},
		{"empty", nil, "", "0 bytes"},
		{"text of 2 KB", padded("Акт подписан "), "", "first bytes"},
		{"a DOCX (zip)", padded("PK\x03\x04"), "", "first bytes"},
		{"PDF header and nothing else", padded("%PDF-1.4\n"), "", "does not open"},
		{"truncated PDF", valid["pdf"][:len(valid["pdf"])/2], "", "does not open"},
		{"truncated PNG", valid["png"][:len(valid["png"])-200], "", "does not open"},
		{"truncated JPEG", valid["jpeg"][:len(valid["jpeg"])/3], "", "does not open"},
		{"TIFF header and nothing else", padded("II*\x00"), "", "does not open"},
		{"PDF", valid["pdf"], "pdf", ""},
		{"JPEG", valid["jpeg"], "jpeg", ""},
		{"PNG", valid["png"], "png", ""},
		{"TIFF", valid["tiff"], "tiff", ""},
	}
	for _, pdfReader := range []struct{ name, pdfinfo string }{{"pure Go", ""}, {"pdfinfo", pdfinfo}} {
		if pdfReader.name == "pdfinfo" && pdfinfo == "" {
			needTool(t, "pdfinfo")
		}
		for _, c := range cases {
			t.Run(pdfReader.name+"/"+c.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "scan.bin")
				if err := os.WriteFile(path, c.data, 0o644); err != nil {
					t.Fatal(err)
				}
				s, err := readScan(t.Context(), path, pdfReader.pdfinfo)
				if c.format != "" {
					if err != nil || s.Format != c.format || s.Size != int64(len(c.data)) {
						t.Fatalf("a valid %s: %+v, %v", c.format, s, err)
					}
					return
				}
				if !errors.Is(err, ErrBadScan) || !strings.Contains(err.Error(), c.why) ||
					!strings.Contains(err.Error(), ScanFormats) || !strings.Contains(err.Error(), path) {
					t.Fatalf("want a refusal naming the file, %q and the formats accepted; got %v", c.why, err)
				}
			})
		}
	}
}

// FuzzScan: no file makes the check crash, and what it accepts is one of
// the formats it names.
func FuzzScan(f *testing.F) {
	for _, s := range [][]byte{[]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>"), []byte("\x89PNG\r\n\x1a\n"), []byte("II*\x00\x08\x00\x00\x00"), {0xFF, 0xD8, 0xFF, 0xE0}} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < MinScanBytes {
			data = append(data, bytes.Repeat([]byte{0}, MinScanBytes-len(data))...)
		}
		path := filepath.Join(dir, "scan")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := readScan(t.Context(), path, "")
		if err == nil && !strings.Contains("pdf jpeg png tiff", s.Format) {
			t.Fatalf("accepted as %q", s.Format)
		}
		if err != nil && !errors.Is(err, ErrBadScan) {
			t.Fatalf("a refusal that is not ErrBadScan: %v", err)
		}
	})
}

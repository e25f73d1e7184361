package report

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ledongthuc/pdf"
	"golang.org/x/image/tiff"
)

// ScanFormats are the formats a scan of a signed act may have, as
// messages name them.
const ScanFormats = "PDF, JPEG, PNG or TIFF"

// Bounds of a scan of a signed act. Below MinScanBytes no scanner writes a
// legible page; above MaxScanBytes the file is not a scan of a few pages.
const (
	MinScanBytes = 1 << 10
	MaxScanBytes = 200 << 20
)

// Scan is a scanned signed act that was checked: its format was told by
// its first bytes and it opens as that format.
type Scan struct {
	Format string // pdf, jpeg, png or tiff
	Size   int64
	SHA256 string
	data   []byte
}

// Ext is the file extension the scan's copy is kept under.
func (s *Scan) Ext() string {
	if s.Format == "jpeg" {
		return ".jpg"
	}
	if s.Format == "tiff" {
		return ".tif"
	}
	return "." + s.Format
}

// ReadScan reads and checks the scan of a signed act at path: a PDF, JPEG,
// PNG or TIFF file of at least 1 KB that opens. A PDF is opened with
// poppler's pdfinfo where it is installed, and with a pure-Go reader
// otherwise. The error wraps ErrBadScan and says what was wrong.
func ReadScan(ctx context.Context, path string) (*Scan, error) {
	pdfinfo, _ := exec.LookPath("pdfinfo")
	return readScan(ctx, path, pdfinfo)
}

func readScan(ctx context.Context, path, pdfinfo string) (*Scan, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("scan of the signed act %s: %w: %s; give a %s file of the signed paper (at least 1 KB)",
			path, ErrBadScan, fmt.Sprintf(format, a...), ScanFormats)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scan of the signed act: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("scan of the signed act: %w", err)
	}
	switch {
	case !st.Mode().IsRegular():
		return nil, bad("it is not a regular file")
	case st.Size() < MinScanBytes:
		return nil, bad("it has %d bytes, too few for a scanned page", st.Size())
	case st.Size() > MaxScanBytes:
		return nil, bad("it has %d bytes, more than the %d MB a scan of an act may have", st.Size(), MaxScanBytes>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxScanBytes+1))
	if err != nil {
		return nil, fmt.Errorf("scan of the signed act %s: %w", path, err)
	}
	format := sniffScan(data)
	if format == "" {
		return nil, bad("its first bytes (%s) are those of none of these formats", printable(data[:min(len(data), 8)]))
	}
	if err := opens(ctx, format, path, data, pdfinfo); err != nil {
		return nil, bad("it starts as a %s file but does not open: %v", strings.ToUpper(format), err)
	}
	sum := sha256.Sum256(data)
	return &Scan{Format: format, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), data: data}, nil
}

// sniffScan tells a scan's format by its magic bytes.
func sniffScan(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "tiff"
	}
	return ""
}

// opens checks that data decodes as format: the whole image for JPEG,
// PNG and TIFF; for a PDF, its cross-reference table and at least one page.
func opens(ctx context.Context, format, path string, data []byte, pdfinfo string) (err error) {
	defer func() {
		if r := recover(); r != nil { // a decoder's bug is a file that does not open
			err = fmt.Errorf("the decoder gave up: %v", r)
		}
	}()
	if format == "pdf" {
		if pdfinfo != "" {
			return pdfinfoPages(ctx, pdfinfo, path)
		}
		return goPDFPages(data)
	}
	decoders := map[string]struct {
		config func(io.Reader) (image.Config, error)
		decode func(io.Reader) (image.Image, error)
	}{"jpeg": {jpeg.DecodeConfig, jpeg.Decode}, "png": {png.DecodeConfig, png.Decode}, "tiff": {tiff.DecodeConfig, tiff.Decode}}
	d := decoders[format]
	// The header first: a file of a few bytes may declare a picture that
	// would take gigabytes to decode.
	cfg, err := d.config(bytes.NewReader(data))
	switch {
	case err != nil:
		return err
	case cfg.Width < 16 || cfg.Height < 16:
		return fmt.Errorf("the image is %d×%d pixels, too small for a scanned page", cfg.Width, cfg.Height)
	case cfg.Width > maxScanSide || cfg.Height > maxScanSide || cfg.Width*cfg.Height > maxScanPixels:
		return fmt.Errorf("the image is %d×%d pixels, more than a scan of A3 at 600 dpi", cfg.Width, cfg.Height)
	}
	_, err = d.decode(bytes.NewReader(data))
	return err
}

// Bounds of a scanned image: A3 at 600 dpi is 7016×9921 pixels.
const (
	maxScanSide   = 12000
	maxScanPixels = 80_000_000
)

// pdfinfoPages asks poppler's pdfinfo whether the file opens and has pages.
func pdfinfoPages(ctx context.Context, pdfinfo, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, pdfinfo, "--", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(firstLine(stderr.String()))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("pdfinfo: %s", msg)
	}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return errors.New("pdfinfo finds no pages")
			}
			return nil
		}
	}
	return errors.New("pdfinfo finds no pages")
}

// goPDFPages opens a PDF with the pure-Go reader and reads its first page.
func goPDFPages(data []byte) error {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	n := r.NumPage()
	if n < 1 {
		return errors.New("it has no pages")
	}
	if r.Page(1).V.IsNull() {
		return errors.New("its first page cannot be read")
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// printable shows bytes for a message: text as it is, the rest as escapes.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			fmt.Fprintf(&sb, "\\x%02x", c)
		}
	}
	return sb.String()
}

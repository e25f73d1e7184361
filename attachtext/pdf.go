package attachtext

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/ledongthuc/pdf"
)

// scanLetters is the least number of letters per page of a PDF with a
// text layer; fewer means the pages are pictures (a stamp or a page
// number may still be text on a scan).
const scanLetters = 20

// HavePdftotext reports whether the pdftotext program is installed.
func HavePdftotext() bool { _, err := exec.LookPath("pdftotext"); return err == nil }

// HaveCatdoc reports whether the catdoc program is installed.
func HaveCatdoc() bool { _, err := exec.LookPath("catdoc"); return err == nil }

func readPDF(ctx context.Context, data []byte, opt Options) (Result, error) {
	var res Result
	var err error
	if !opt.PureGo && HavePdftotext() {
		res, err = pdftotext(ctx, data, opt)
	} else {
		res, err = goPDF(ctx, data, opt)
	}
	if err != nil {
		return Result{}, err
	}
	pages := max(res.Pages, 1)
	res.Scan = letters(res.Text) < scanLetters*pages
	if res.Scan {
		res.Text = strings.TrimSpace(res.Text)
	}
	return res, nil
}

// pdftotext runs poppler's pdftotext on a temporary copy of the file.
func pdftotext(ctx context.Context, data []byte, opt Options) (Result, error) {
	f, err := os.CreateTemp("", "perenos-attach-*.pdf")
	if err != nil {
		return Result{}, fmt.Errorf("temporary file for pdftotext: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return Result{}, fmt.Errorf("temporary file for pdftotext: %w", err)
	}
	if err := f.Close(); err != nil {
		return Result{}, fmt.Errorf("temporary file for pdftotext: %w", err)
	}
	cmd := exec.CommandContext(ctx, "pdftotext", "-q", "-enc", "UTF-8", f.Name(), "-")
	var out, stderr bytes.Buffer
	cmd.Stdout = &limitWriter{w: &out, n: opt.MaxText + 1}
	cmd.Stderr = &limitWriter{w: &stderr, n: 4096}
	err = cmd.Run()
	if ctx.Err() != nil {
		return Result{}, fmt.Errorf("pdftotext: %w", ctx.Err())
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = "no output"
		}
		return Result{}, fmt.Errorf("pdftotext: %w: %v (%s)", ErrBroken, err, msg)
	}
	text := out.String()
	// pdftotext ends every page with a form feed
	pages := strings.Count(text, "\f")
	text = strings.ReplaceAll(text, "\f", "\n")
	return Result{Text: strings.TrimSpace(text), Method: "pdftotext", Pages: pages}, nil
}

// goPDF reads the text with the pure-Go reader. It cannot be interrupted,
// so a timeout abandons it (its goroutine ends when the reader does).
func goPDF(ctx context.Context, data []byte, opt Options) (Result, error) {
	type answer struct {
		res Result
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		var a answer
		defer func() {
			if p := recover(); p != nil {
				a = answer{err: fmt.Errorf("%w: pdf reader: %v", ErrBroken, p)}
			}
			ch <- a
		}()
		r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			a.err = fmt.Errorf("%w: %v", ErrBroken, err)
			return
		}
		n := r.NumPage()
		if n <= 0 {
			a.err = fmt.Errorf("%w: no pages", ErrBroken)
			return
		}
		var b strings.Builder
		fonts := map[string]*pdf.Font{}
		for i := 1; i <= n; i++ {
			if ctx.Err() != nil {
				return
			}
			p := r.Page(i)
			if p.V.IsNull() {
				continue
			}
			for _, name := range p.Fonts() {
				if _, ok := fonts[name]; !ok {
					f := p.Font(name)
					fonts[name] = &f
				}
			}
			t, err := p.GetPlainText(fonts)
			if err != nil {
				a.err = fmt.Errorf("%w: page %d: %v", ErrBroken, i, err)
				return
			}
			b.WriteString(t)
			b.WriteString("\n")
			if b.Len() > opt.MaxText {
				a.res.Truncated = true
				break
			}
		}
		a.res.Text, a.res.Method, a.res.Pages = strings.TrimSpace(b.String()), "go-pdf", n
	}()
	select {
	case a := <-ch:
		return a.res, a.err
	case <-ctx.Done():
		return Result{}, fmt.Errorf("pdf reader: %w", ctx.Err())
	}
}

// limitWriter keeps the first n bytes and drops the rest, so a runaway
// program cannot fill the memory.
type limitWriter struct {
	w io.Writer
	n int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	k := min(len(p), l.n)
	l.n -= k
	if _, err := l.w.Write(p[:k]); err != nil {
		return 0, err
	}
	return len(p), nil
}

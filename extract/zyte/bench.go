package zyte

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"perenos/charset"
	"perenos/extract"
)

// Truth is one page's expected answer in ground-truth.json.
type Truth struct {
	ArticleBody string `json:"articleBody"`
	URL         string `json:"url"`
}

// Prediction is one page's answer in the benchmark's format.
type Prediction struct {
	ArticleBody string `json:"articleBody"`
}

// Result is what a benchmark run reports.
type Result struct {
	Score
	// MsPerPage is the CPU time a page takes on one core for decoding,
	// parsing, main content and Markdown; WallMsPerPage the elapsed time,
	// which other processes on the machine inflate.
	MsPerPage     float64 `json:"ms_per_page"`
	WallMsPerPage float64 `json:"wall_ms_per_page"`
	// RecordsMsPerPage is the CPU time the structured records
	// (extract/records, which the benchmark does not score) add to a page
	// when Extract runs them too: WithRecordsMsPerPage less MsPerPage.
	RecordsMsPerPage float64 `json:"records_ms_per_page"`
	// WithRecordsMsPerPage is the CPU time of a page as the extract stage
	// spends it: decoding, one parse, main content, Markdown and records.
	WithRecordsMsPerPage float64 `json:"with_records_ms_per_page"`
	// Predictions by page hash, for --out.
	Predictions map[string]Prediction `json:"-"`
	// PerPage scores by page hash, for finding the worst pages.
	PerPage map[string]PageScore `json:"-"`
}

// LoadTruth reads dir/ground-truth.json.
func LoadTruth(dir string) (map[string]Truth, error) {
	p := filepath.Join(dir, "ground-truth.json")
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("zyte benchmark: %w", err)
	}
	var truth map[string]Truth
	if err := json.Unmarshal(data, &truth); err != nil {
		return nil, fmt.Errorf("zyte benchmark %s: %w", p, err)
	}
	if len(truth) == 0 {
		return nil, fmt.Errorf("zyte benchmark %s: no pages", p)
	}
	return truth, nil
}

// ReadPage returns the raw bytes of dir/html/<hash>.html.gz.
func ReadPage(dir, hash string) ([]byte, error) {
	p := filepath.Join(dir, "html", hash+".html.gz")
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("zyte benchmark page: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("zyte benchmark page %s: %w", p, err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("zyte benchmark page %s: %w", p, err)
	}
	return data, nil
}

// Predict runs the extractor on one page alone (no template, no records)
// and returns the plain text of its main content without the title.
func Predict(raw []byte, pageURL string) (string, error) {
	d, err := extractPage(raw, pageURL, true)
	if err != nil {
		return "", err
	}
	return articleBody(d), nil
}

// extractPage decodes, parses and extracts one page alone.
func extractPage(raw []byte, pageURL string, noRecords bool) (*extract.Document, error) {
	text := charset.Decode(raw, "").Text
	doc, err := extract.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pageURL, err)
	}
	return extract.Extract(pageURL, doc, extract.Options{NoRecords: noRecords})
}

// articleBody is the plain text of the main content without the page's
// title, which the Document holds apart (the benchmark's articleBody is
// the body below the headline).
func articleBody(d *extract.Document) string {
	text := d.Text
	first, rest, _ := strings.Cut(text, "\n")
	if d.Title != "" && strings.TrimSpace(first) == d.Title {
		return rest
	}
	return text
}

// Run extracts every page of the benchmark in dir on one core
// (GOMAXPROCS=1) and scores the result. Reading and unzipping the files
// happen before the clock starts and scoring after it stops; the CPU time
// covers decoding, parsing, main content and Markdown. A second pass over
// the same pages runs Extract with the structured records, as the extract
// stage does, for the cost of both together.
func Run(ctx context.Context, dir string) (*Result, error) {
	truth, err := LoadTruth(dir)
	if err != nil {
		return nil, err
	}
	hashes := make([]string, 0, len(truth))
	for h := range truth {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	raws := make(map[string][]byte, len(hashes))
	for _, h := range hashes {
		raw, err := ReadPage(dir, h)
		if err != nil {
			return nil, err
		}
		raws[h] = raw
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	res := &Result{Predictions: map[string]Prediction{}, PerPage: map[string]PageScore{}}
	var scores []PageScore
	var spent time.Duration
	runtime.GC()
	cpu0, cpuOK := cpuTime()
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		start := time.Now()
		text, err := Predict(raws[h], truth[h].URL)
		spent += time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("zyte page %s: %w", h, err)
		}
		res.Predictions[h] = Prediction{ArticleBody: text}
	}
	cpu1, _ := cpuTime()
	// The same pages as the extract stage reads them, records included.
	runtime.GC()
	cpu2, _ := cpuTime()
	start2 := time.Now()
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if _, err := extractPage(raws[h], truth[h].URL, false); err != nil {
			return nil, fmt.Errorf("zyte page %s: %w", h, err)
		}
	}
	withRecords := time.Since(start2)
	if cpuOK {
		cpu3, _ := cpuTime()
		withRecords = cpu3 - cpu2
	}
	for _, h := range hashes {
		ps := ScorePage(truth[h].ArticleBody, res.Predictions[h].ArticleBody)
		res.PerPage[h] = ps
		scores = append(scores, ps)
	}
	res.Score = Aggregate(scores)
	res.WallMsPerPage = float64(spent.Microseconds()) / 1000 / float64(len(hashes))
	res.MsPerPage = res.WallMsPerPage
	if cpuOK {
		res.MsPerPage = float64((cpu1 - cpu0).Microseconds()) / 1000 / float64(len(hashes))
	}
	res.WithRecordsMsPerPage = float64(withRecords.Microseconds()) / 1000 / float64(len(hashes))
	res.RecordsMsPerPage = max(0, res.WithRecordsMsPerPage-res.MsPerPage)
	return res, nil
}

// WritePredictions writes the predictions as {"<sha256>": {"articleBody": ...}}.
func WritePredictions(path string, preds map[string]Prediction) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(preds); err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("predictions: %w", err)
	}
	return nil
}

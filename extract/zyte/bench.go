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
	"perenos/extract/records"
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
	// when Extract runs them too.
	RecordsMsPerPage float64 `json:"records_ms_per_page"`
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
	text := charset.Decode(raw, "").Text
	doc, err := extract.Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s: %w", pageURL, err)
	}
	d, err := extract.Extract(pageURL, doc, extract.Options{NoRecords: true})
	if err != nil {
		return "", err
	}
	return articleBody(d), nil
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
// covers decoding, parsing, main content and Markdown. The structured
// records are timed apart, page by page, on the same parsed pages.
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
	var spent, recSpent time.Duration
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
	// The records on their own, over the same pages, for the full cost.
	for _, h := range hashes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		doc, err := extract.Parse(charset.Decode(raws[h], "").Text)
		if err != nil {
			return nil, fmt.Errorf("zyte page %s: %w", h, err)
		}
		cpuA, _ := cpuTime()
		startA := time.Now()
		records.Extract(truth[h].URL, doc, records.Options{})
		if cpuOK {
			cpuB, _ := cpuTime()
			recSpent += cpuB - cpuA
		} else {
			recSpent += time.Since(startA)
		}
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
	res.RecordsMsPerPage = float64(recSpent.Microseconds()) / 1000 / float64(len(hashes))
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

// Package goldbench measures structured-record extraction against a gold
// set: legacy pages with the records and attachments a person found in
// them. Each page is decoded and extracted the way the pipeline does it
// (charset detection, extract.Extract with its records), and the result
// is scored: record precision, recall and F1, and attachment recall. Files
// under the set's files/ folder are read with attachtext and scored too.
//
// Gold set layout: NAME.html (raw bytes, any legacy charset) and NAME.json
// beside it:
//
//	{"url": "page URL", "crawl_date": "YYYY-MM-DD",
//	 "records": [{"type": "staff", "fields": {"fio": "...", ...}}, ...],
//	 "attachments": ["absolute URL of each linked file", ...]}
//
// A gold record matches an extracted record of the same type whose fields
// include every gold field with an equal value (case, ё/е, spacing, dashes
// and the order of "; "-separated values do not matter). Extra extracted
// fields are not judged; extra extracted records count against precision.
package goldbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"perenos/attachtext"
	"perenos/charset"
	"perenos/extract"
	"perenos/extract/records"
)

// Page is one gold page's expectations.
type Page struct {
	URL         string       `json:"url"`
	Charset     string       `json:"charset,omitempty"`
	CrawlDate   string       `json:"crawl_date"`
	Records     []GoldRecord `json:"records"`
	Attachments []string     `json:"attachments"`
}

// GoldRecord is an expected record: its type and the fields that must match.
type GoldRecord struct {
	Type   string            `json:"type"`
	Fields map[string]string `json:"fields"`
}

// GoldFile is an expected result of reading an attachment in files/.
type GoldFile struct {
	File     string `json:"file"`
	Scan     bool   `json:"scan"`
	Broken   bool   `json:"broken"`
	Contains string `json:"contains,omitempty"`
}

// Score is precision, recall and F1 over counts.
type Score struct {
	Expected  int     `json:"expected"`
	Extracted int     `json:"extracted"`
	Matched   int     `json:"matched"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

func (s *Score) finish() {
	if s.Extracted > 0 {
		s.Precision = round(float64(s.Matched) / float64(s.Extracted))
	}
	if s.Expected > 0 {
		s.Recall = round(float64(s.Matched) / float64(s.Expected))
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = round(2 * s.Precision * s.Recall / (s.Precision + s.Recall))
	}
}

func round(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }

// Attachments scores the files linked from the pages.
type Attachments struct {
	Expected int `json:"expected"`
	// Found counts expected files present among the page's attachment
	// links (extract.Document.Attachments) or its document records.
	Found  int     `json:"found"`
	Recall float64 `json:"recall"`
	// RecallLinks and RecallRecords split Found by where it came from.
	RecallLinks   float64  `json:"recall_links"`
	RecallRecords float64  `json:"recall_records"`
	Missed        []string `json:"missed,omitempty"`
	// MissedLinks are found only as document records, not among the
	// page's content attachment links.
	MissedLinks []string `json:"missed_by_links,omitempty"`
}

// FileText scores attachment text on files/.
type FileText struct {
	Files   int      `json:"files"`
	Correct int      `json:"correct"`
	Wrong   []string `json:"wrong,omitempty"`
}

// PageResult lists a page's misses, for people fixing the extractor or
// the gold set.
type PageResult struct {
	Page   string       `json:"page"`
	Missed []GoldRecord `json:"missed,omitempty"`
	Extra  []GoldRecord `json:"extra,omitempty"`
}

// Report is the benchmark's result.
type Report struct {
	Gold        string           `json:"gold"`
	Pages       int              `json:"pages"`
	Records     Score            `json:"records"`
	ByType      map[string]Score `json:"by_type"`
	Attachments Attachments      `json:"attachments"`
	FileText    *FileText        `json:"attachment_text,omitempty"`
	Seconds     float64          `json:"seconds"`
	PagesPerSec float64          `json:"pages_per_second"`
	Problems    []PageResult     `json:"problems,omitempty"`
}

// Run scores every page of the gold set in dir.
func Run(ctx context.Context, dir string) (*Report, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("gold set %s: %w", dir, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("gold set %s: no NAME.json files", dir)
	}
	sort.Strings(names)
	rep := &Report{Gold: dir, ByType: map[string]Score{}}
	start := time.Now()
	var linkHits, recHits int
	for _, jn := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		page, doc, err := loadPage(jn)
		if err != nil {
			return nil, err
		}
		rep.Pages++
		name := strings.TrimSuffix(filepath.Base(jn), ".json")
		pr := scoreRecords(rep, page, doc.Records)
		pr.Page = name
		if len(pr.Missed)+len(pr.Extra) > 0 {
			rep.Problems = append(rep.Problems, pr)
		}
		links := map[string]bool{}
		for _, l := range doc.Attachments() {
			links[l.URL] = true
		}
		recs := map[string]bool{}
		for _, r := range doc.Records {
			if u := r.Fields["url"]; u != "" && r.Type == "document" {
				recs[u] = true
			}
			for k, v := range r.Fields {
				if k != "url" && strings.HasPrefix(v, "http") {
					for _, u := range strings.Split(v, "; ") {
						recs[u] = true
					}
				}
			}
		}
		for _, u := range page.Attachments {
			rep.Attachments.Expected++
			if links[u] {
				linkHits++
			} else {
				rep.Attachments.MissedLinks = append(rep.Attachments.MissedLinks, name+": "+u)
			}
			if recs[u] {
				recHits++
			}
			if links[u] || recs[u] {
				rep.Attachments.Found++
			} else {
				rep.Attachments.Missed = append(rep.Attachments.Missed, name+": "+u)
			}
		}
	}
	el := time.Since(start).Seconds()
	rep.Seconds = round(el)
	if el > 0 {
		rep.PagesPerSec = round(float64(rep.Pages) / el)
	}
	rep.Records.finish()
	for k, s := range rep.ByType {
		s.finish()
		rep.ByType[k] = s
	}
	if a := &rep.Attachments; a.Expected > 0 {
		a.Recall = round(float64(a.Found) / float64(a.Expected))
		a.RecallLinks = round(float64(linkHits) / float64(a.Expected))
		a.RecallRecords = round(float64(recHits) / float64(a.Expected))
	}
	ft, err := scoreFiles(ctx, filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	rep.FileText = ft
	return rep, nil
}

func loadPage(jsonPath string) (*Page, *extract.Document, error) {
	raw, err := os.ReadFile(jsonPath)
	if err != nil {
		return nil, nil, fmt.Errorf("gold page: %w", err)
	}
	var p Page
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, nil, fmt.Errorf("gold page %s: %w", jsonPath, err)
	}
	if p.URL == "" {
		return nil, nil, fmt.Errorf("gold page %s: field url is empty", jsonPath)
	}
	htmlPath := strings.TrimSuffix(jsonPath, ".json") + ".html"
	body, err := os.ReadFile(htmlPath)
	if err != nil {
		return nil, nil, fmt.Errorf("gold page: %w", err)
	}
	dec := charset.Decode(body, "")
	if p.Charset != "" && dec.Charset != p.Charset {
		return nil, nil, fmt.Errorf("gold page %s: decoded as %s, the gold set says %s", htmlPath, dec.Charset, p.Charset)
	}
	node, err := extract.Parse(dec.Text)
	if err != nil {
		return nil, nil, fmt.Errorf("gold page %s: %w", htmlPath, err)
	}
	doc, err := extract.Extract(p.URL, node, extract.Options{CrawlDate: p.CrawlDate})
	if err != nil {
		return nil, nil, fmt.Errorf("gold page %s: %w", htmlPath, err)
	}
	return &p, doc, nil
}

// scoreRecords matches a page's gold records to its extracted ones and
// adds the counts to rep.
func scoreRecords(rep *Report, page *Page, got []records.Record) PageResult {
	var pr PageResult
	used := make([]bool, len(got))
	count := func(typ string, f func(s *Score)) {
		s := rep.ByType[typ]
		f(&s)
		rep.ByType[typ] = s
		f(&rep.Records)
	}
	for _, g := range page.Records {
		count(g.Type, func(s *Score) { s.Expected++ })
		hit := -1
		for i, r := range got {
			if !used[i] && r.Type == g.Type && fieldsMatch(g.Fields, r.Fields) {
				hit = i
				break
			}
		}
		if hit < 0 {
			pr.Missed = append(pr.Missed, g)
			continue
		}
		used[hit] = true
		count(g.Type, func(s *Score) { s.Matched++ })
	}
	for i, r := range got {
		count(r.Type, func(s *Score) { s.Extracted++ })
		if !used[i] {
			pr.Extra = append(pr.Extra, GoldRecord{Type: r.Type, Fields: r.Fields})
		}
	}
	return pr
}

func fieldsMatch(want, got map[string]string) bool {
	for k, v := range want {
		if Normalize(got[k]) != Normalize(v) {
			return false
		}
	}
	return true
}

// Normalize is the form in which gold and extracted values are compared.
func Normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ё", "е", "–", "-", "—", "-", "\u00a0", " ").Replace(s)
	var parts []string
	for _, p := range strings.Split(s, ";") {
		p = strings.Join(strings.Fields(p), " ")
		p = strings.Trim(p, " .,:")
		if p != "" {
			parts = append(parts, p)
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// scoreFiles reads files/ with attachtext against files/files.json.
func scoreFiles(ctx context.Context, dir string) (*FileText, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "files.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("gold files: %w", err)
	}
	var want []GoldFile
	if err := json.Unmarshal(raw, &want); err != nil {
		return nil, fmt.Errorf("gold files %s: %w", filepath.Join(dir, "files.json"), err)
	}
	ft := &FileText{}
	for _, w := range want {
		ft.Files++
		res, err := attachtext.File(ctx, filepath.Join(dir, w.File), attachtext.Options{})
		flat := strings.Join(strings.Fields(res.Text), " ")
		switch {
		case w.Broken && err == nil:
			ft.Wrong = append(ft.Wrong, w.File+": read without error, gold says broken")
		case !w.Broken && err != nil:
			ft.Wrong = append(ft.Wrong, w.File+": "+err.Error())
		case !w.Broken && res.Scan != w.Scan:
			ft.Wrong = append(ft.Wrong, fmt.Sprintf("%s: scan=%v, gold says %v", w.File, res.Scan, w.Scan))
		case !w.Broken && w.Contains != "" && !strings.Contains(flat, w.Contains):
			ft.Wrong = append(ft.Wrong, fmt.Sprintf("%s: text lacks %q", w.File, w.Contains))
		default:
			ft.Correct++
		}
	}
	return ft, nil
}

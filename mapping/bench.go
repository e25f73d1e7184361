package mapping

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"perenos/charset"
	"perenos/extract"
	"perenos/store"
)

// BenchResult is the accuracy of the classifier on a labelled gold set.
// A page left for review counts as wrong in Accuracy and is counted in
// Flagged; MandatedInOther counts pages of a mandated section placed in
// "other" without being flagged (the target is none).
type BenchResult struct {
	Sites           int                     `json:"sites"`
	Pages           int                     `json:"pages"`
	Correct         int                     `json:"correct"`
	Accuracy        float64                 `json:"accuracy"`
	PerSection      map[string]SectionScore `json:"per_section"`
	Confusion       []Confusion             `json:"confusion"`
	Flagged         int                     `json:"flagged"`
	MandatedInOther int                     `json:"mandated_in_other"`
}

// SectionScore is the result for the pages labelled with one section.
type SectionScore struct {
	Pages    int     `json:"pages"`
	Correct  int     `json:"correct"`
	Flagged  int     `json:"flagged"`
	Accuracy float64 `json:"accuracy"`
}

// Confusion is one kind of mistake: pages labelled Want that went to Got
// ("unplaced" when left for review).
type Confusion struct {
	Want  string   `json:"want"`
	Got   string   `json:"got"`
	Count int      `json:"count"`
	Pages []string `json:"pages"`
	// Candidates are, for pages left for review, what the classifier offered.
	Candidates [][]Candidate `json:"candidates,omitempty"`
}

// goldPage is one labelled page of the gold set.
type goldPage struct {
	site, file, url string
	want            []string
	line            int
}

// Bench maps every site of the gold set in dir and compares each page's
// placement with its label. dir holds sites.tsv (site, type, host, cms),
// labels.tsv (site, file, url, section; a page split across sections has
// its sections joined by "+") and one folder of HTML files per site.
func Bench(ctx context.Context, profs Profiles, dir string, opt Options) (*BenchResult, error) {
	types := map[string]store.OrgType{}
	if err := readTSV(filepath.Join(dir, "sites.tsv"), 2, func(line int, f []string) error {
		t := store.OrgType(f[1])
		if profs[t] == nil {
			return fmt.Errorf("unknown organisation type %q", f[1])
		}
		types[f[0]] = t
		return nil
	}); err != nil {
		return nil, err
	}
	bySite := map[string][]goldPage{}
	if err := readTSV(filepath.Join(dir, "labels.tsv"), 4, func(line int, f []string) error {
		if _, ok := types[f[0]]; !ok {
			return fmt.Errorf("site %q is not in sites.tsv", f[0])
		}
		want := strings.Split(f[3], "+")
		sort.Strings(want)
		for _, w := range want {
			if profs[types[f[0]]].Section(w) == nil {
				return fmt.Errorf("section %q is not in the %s profile", w, types[f[0]])
			}
		}
		bySite[f[0]] = append(bySite[f[0]], goldPage{site: f[0], file: f[1], url: f[2], want: want, line: line})
		return nil
	}); err != nil {
		return nil, err
	}
	res := &BenchResult{PerSection: map[string]SectionScore{}, Confusion: []Confusion{}}
	confusion := map[[2]string]*Confusion{}
	sites := make([]string, 0, len(bySite))
	for s := range bySite {
		sites = append(sites, s)
	}
	sort.Strings(sites)
	for _, site := range sites {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		gold := bySite[site]
		prof := profs[types[site]]
		in, err := goldInput(filepath.Join(dir, site), site, types[site], gold)
		if err != nil {
			return nil, err
		}
		plan := Build(prof, in, opt)
		res.Sites++
		for _, g := range gold {
			got, flagged, cands := placementOf(plan, g.url)
			wantKey := strings.Join(g.want, "+")
			ok := !flagged && wantKey == strings.Join(got, "+")
			sc := res.PerSection[wantKey]
			sc.Pages++
			res.Pages++
			if ok {
				sc.Correct++
				res.Correct++
			}
			if flagged {
				sc.Flagged++
				res.Flagged++
			}
			gotKey := strings.Join(got, "+")
			if flagged {
				gotKey = "unplaced"
			}
			if !flagged && gotKey == OtherSection {
				for _, w := range g.want {
					if s := prof.Section(w); s != nil && s.Mandated {
						res.MandatedInOther++
						break
					}
				}
			}
			res.PerSection[wantKey] = sc
			if !ok {
				k := [2]string{wantKey, gotKey}
				if confusion[k] == nil {
					confusion[k] = &Confusion{Want: wantKey, Got: gotKey}
				}
				confusion[k].Count++
				confusion[k].Pages = append(confusion[k].Pages, g.url)
				if flagged {
					confusion[k].Candidates = append(confusion[k].Candidates, cands)
				}
			}
		}
	}
	for id, sc := range res.PerSection {
		sc.Accuracy = ratio(sc.Correct, sc.Pages)
		res.PerSection[id] = sc
	}
	res.Accuracy = ratio(res.Correct, res.Pages)
	for _, c := range confusion {
		res.Confusion = append(res.Confusion, *c)
	}
	sort.Slice(res.Confusion, func(i, j int) bool {
		a, b := res.Confusion[i], res.Confusion[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Want+a.Got < b.Want+b.Got
	})
	return res, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(int(float64(a)/float64(b)*10000+0.5)) / 10000
}

// placementOf returns the sections that hold the page (one per part), or
// that it was left for review and with which candidates.
func placementOf(p *Plan, u string) (sections []string, flagged bool, cands []Candidate) {
	for _, s := range p.Sections {
		for _, it := range s.Items {
			if it.SourceURL == u && (it.Kind == KindPage || it.Kind == KindNews) {
				sections = append(sections, s.ID)
			}
		}
	}
	for _, it := range p.Unplaced {
		if it.SourceURL == u && (it.Kind == KindPage || it.Kind == KindNews) {
			flagged, cands = true, it.Candidates
		}
	}
	sort.Strings(sections)
	return sections, flagged, cands
}

// goldInput reads a gold site's pages the way the pipeline would have
// fetched and extracted them: decoded, the site template learned from all
// of them, each page extracted.
func goldInput(dir, site string, typ store.OrgType, gold []goldPage) (Input, error) {
	in := Input{Org: &store.Org{ID: site, Type: typ}, Docs: map[string]*extract.Document{}}
	texts := make([]string, len(gold))
	tmpl := extract.NewTemplate()
	for i, g := range gold {
		raw, err := os.ReadFile(filepath.Join(dir, g.file))
		if err != nil {
			return in, fmt.Errorf("gold page %s (labels.tsv line %d): %w", g.file, g.line, err)
		}
		texts[i] = charset.Decode(raw, "").Text
		doc, err := extract.Parse(texts[i])
		if err != nil {
			return in, fmt.Errorf("gold page %s/%s: %w", site, g.file, err)
		}
		tmpl.Learn(doc)
	}
	for i, g := range gold {
		doc, err := extract.Parse(texts[i])
		if err != nil {
			return in, fmt.Errorf("gold page %s/%s: %w", site, g.file, err)
		}
		d, err := extract.Extract(g.url, doc, extract.Options{Template: tmpl})
		if err != nil {
			return in, fmt.Errorf("gold page %s/%s: %w", site, g.file, err)
		}
		in.Docs[g.url] = d
		in.Pages = append(in.Pages, &store.Page{URL: g.url, Kind: store.KindPage, Status: 200, Size: int64(len(texts[i]))})
	}
	if len(gold) > 0 {
		in.Org.LegacyURL = gold[0].url
	}
	return in, nil
}

// readTSV calls fn for each non-comment line of a tab-separated file with
// at least n fields, naming the file and line in errors.
func readTSV(path string, n int, fn func(line int, fields []string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("gold set: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		fields := strings.Split(t, "\t")
		if len(fields) < n {
			return fmt.Errorf("%s:%d: want %d tab-separated fields, have %d", path, line, n, len(fields))
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		if err := fn(line, fields); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

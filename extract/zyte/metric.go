// Package zyte runs the extractor on the Zyte article-extraction benchmark
// (each page alone, no siblings) and scores it with the benchmark's
// shingle metric, so that the extract package's main-content choice can be
// compared with published extractors on the same yardstick.
package zyte

import (
	"strings"
	"unicode"
)

// Tokens splits text into maximal runs of Unicode word characters
// (letters, numbers and the underscore), case kept: the benchmark's `\w+`.
func Tokens(text string) []string {
	var out []string
	start := -1
	for i, r := range text {
		word := r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			out = append(out, text[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, text[start:])
	}
	return out
}

// Shingles counts every run of four consecutive tokens of text. A text of
// fewer than four tokens yields one shingle of all its tokens; an empty
// text yields none.
func Shingles(text string) map[string]int {
	toks := Tokens(text)
	out := map[string]int{}
	if len(toks) == 0 {
		return out
	}
	if len(toks) < 4 {
		out[strings.Join(toks, " ")]++
		return out
	}
	for i := 0; i+4 <= len(toks); i++ {
		out[strings.Join(toks[i:i+4], " ")]++
	}
	return out
}

// PageScore is one page's comparison of expected and predicted shingles,
// with tp, fp and fn normalised to sum to one.
type PageScore struct {
	TP, FP, FN float64
	Precision  float64
	Recall     float64
	// HasPrecision and HasRecall say whether the page counts towards the
	// mean precision (tp+fp > 0) and the mean recall (tp+fn > 0).
	HasPrecision, HasRecall bool
}

// ScorePage compares the expected and predicted text of one page.
func ScorePage(expected, predicted string) PageScore {
	exp, pred := Shingles(expected), Shingles(predicted)
	var tp, fp, fn float64
	for s, e := range exp {
		p := pred[s]
		tp += float64(min(e, p))
		fn += float64(max(e-p, 0))
	}
	for s, p := range pred {
		fp += float64(max(p-exp[s], 0))
	}
	var ps PageScore
	if total := tp + fp + fn; total > 0 {
		tp, fp, fn = tp/total, fp/total, fn/total
	}
	ps.TP, ps.FP, ps.FN = tp, fp, fn
	switch {
	case fp == 0 && fn == 0:
		ps.Precision, ps.Recall = 1, 1
	default:
		if tp+fp > 0 {
			ps.Precision = tp / (tp + fp)
		}
		if tp+fn > 0 {
			ps.Recall = tp / (tp + fn)
		}
	}
	ps.HasPrecision = tp+fp > 0
	ps.HasRecall = tp+fn > 0
	return ps
}

// Score is the benchmark's result over many pages.
type Score struct {
	Pages     int     `json:"pages"`
	F1        float64 `json:"f1"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// Aggregate averages precision over the pages with tp+fp > 0 and recall
// over those with tp+fn > 0, and takes F1 of the two means.
func Aggregate(pages []PageScore) Score {
	var ps, rs float64
	var np, nr int
	for _, p := range pages {
		if p.HasPrecision {
			ps += p.Precision
			np++
		}
		if p.HasRecall {
			rs += p.Recall
			nr++
		}
	}
	s := Score{Pages: len(pages)}
	if np > 0 {
		s.Precision = ps / float64(np)
	}
	if nr > 0 {
		s.Recall = rs / float64(nr)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	return s
}

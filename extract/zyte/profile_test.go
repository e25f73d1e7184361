package zyte

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"perenos/charset"
	"perenos/extract"
	"perenos/extract/records"
)

// zyteDir is the benchmark's folder beside the repository, as the README's
// bench command names it; the profiling benchmarks skip without it.
func zyteDir(b testing.TB) string {
	dir := filepath.Join("..", "..", "..", "shared", "bench", "zyte")
	if _, err := os.Stat(filepath.Join(dir, "ground-truth.json")); err != nil {
		b.Skipf("the Zyte benchmark is not at %s: %v", dir, err)
	}
	return dir
}

type benchPage struct{ url, text string }

func loadPages(b testing.TB) []benchPage {
	dir := zyteDir(b)
	truth, err := LoadTruth(dir)
	if err != nil {
		b.Fatal(err)
	}
	var hashes []string
	for h := range truth {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	var out []benchPage
	for _, h := range hashes {
		raw, err := ReadPage(dir, h)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, benchPage{truth[h].URL, charset.Decode(raw, "").Text})
	}
	return out
}

// BenchmarkPages runs main content and records over the benchmark's pages,
// for profiling with -cpuprofile (one op is the whole set).
func BenchmarkPages(b *testing.B) {
	pages := loadPages(b)
	for _, mode := range []struct {
		name      string
		noRecords bool
	}{{"main", true}, {"main+records", false}} {
		b.Run(mode.name, func(b *testing.B) {
			for b.Loop() {
				for _, p := range pages {
					doc, err := extract.Parse(p.text)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := extract.Extract(p.url, doc, extract.Options{NoRecords: mode.noRecords}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	b.Run("records", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				doc, err := extract.Parse(p.text)
				if err != nil {
					b.Fatal(err)
				}
				records.Extract(p.url, doc, records.Options{})
			}
		}
	})
	b.Run("parse+blocks", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				doc, err := extract.Parse(p.text)
				if err != nil {
					b.Fatal(err)
				}
				extract.PageBlocks(doc)
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		for b.Loop() {
			for _, p := range pages {
				if _, err := extract.Parse(p.text); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

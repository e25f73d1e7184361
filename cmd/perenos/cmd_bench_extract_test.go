package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeZyteDir writes a two-page benchmark in the Zyte layout: one page
// whose article the extractor finds exactly, one whose answer is empty of
// what the page says.
func writeZyteDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "html"), 0o755)
	article := "Школа приглашает родителей будущих первоклассников на собрание, которое пройдёт в актовом зале в четверг, в шесть часов вечера."
	pages := map[string]string{
		"aaaa": `<html><body><div class="menu"><a href="/">Главная</a> <a href="/news/">Новости</a></div><div class="content"><h1>Собрание</h1><p>` +
			article + `</p></div><div id="footer">© Школа № 7</div></body></html>`,
		"bbbb": `<html><body><p>Совсем другой текст о расписании звонков на вторую смену, из шести уроков подряд.</p></body></html>`,
	}
	truth := map[string]map[string]string{
		"aaaa": {"articleBody": article, "url": "http://s.example/news/1"},
		"bbbb": {"articleBody": "Ожидался текст о каникулах, которого на странице нет вовсе.", "url": "http://s.example/news/2"},
	}
	for h, page := range pages {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(page))
		zw.Close()
		if err := os.WriteFile(filepath.Join(dir, "html", h+".html.gz"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := json.Marshal(truth)
	if err := os.WriteFile(filepath.Join(dir, "ground-truth.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBenchExtractZyte(t *testing.T) {
	dir := writeZyteDir(t)
	out := filepath.Join(t.TempDir(), "predictions.json")
	stdout, stderr, code := perenosCLI(t, t.TempDir(), "bench", "extract", "--zyte", dir, "--out", out, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res map[string]float64
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	for _, k := range []string{"pages", "f1", "precision", "recall", "ms_per_page"} {
		if _, ok := res[k]; !ok {
			t.Errorf("no %q in %s", k, stdout)
		}
	}
	// Page aaaa is found exactly, page bbbb not at all: precision and
	// recall are each the mean of 1 and 0.
	if res["pages"] != 2 || res["precision"] != 0.5 || res["recall"] != 0.5 {
		t.Errorf("scores %v, want 2 pages at precision 0.5, recall 0.5", res)
	}
	var preds map[string]map[string]string
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &preds); err != nil {
		t.Fatal(err)
	}
	if got := preds["aaaa"]["articleBody"]; !strings.Contains(got, "будущих первоклассников") || strings.Contains(got, "Новости") {
		t.Errorf("prediction for aaaa: %q", got)
	}
}

func TestBenchExtractArguments(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "extract"},
		{"bench", "extract", "--zyte", "x", "--gold", "y"},
		{"bench", "extract", "--zyte", filepath.Join(t.TempDir(), "missing")},
	} {
		if _, stderr, code := perenosCLI(t, t.TempDir(), args...); code == 0 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want an error", args, code, stderr)
		}
	}
}

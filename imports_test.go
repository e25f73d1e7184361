package perenos

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// importRules are the design's layering, as the linter's depguard rules
// would say it: for each package, which of perenos's packages its non-test
// code may import. Every package must have a rule: a new package says
// where it sits. The leaves (store, the small helpers, the portal's
// contract) import nothing of ours; stages import store and the leaves;
// pipeline alone wires the stages; review's jobs go through pipeline's
// runner; only cmd/perenos (and demo, which it alone runs) import review
// and report.
var importRules = map[string][]string{
	"perenos":                     {},
	"perenos/store":               {},
	"perenos/charset":             {},
	"perenos/backoff":             {},
	"perenos/handoff":             {},
	"perenos/procstat":            {},
	"perenos/sheet":               {},
	"perenos/termtext":            {},
	"perenos/ziplimit":            {},
	"perenos/portal":              {},
	"perenos/portal/contracttest": {"perenos/portal"},
	// The reference server implements the contract; a client compiles it not.
	"perenos/portal/server":             {"perenos/portal"},
	"perenos/attachtext":                {"perenos/ziplimit"},
	"perenos/extract/records":           {},
	"perenos/extract":                   {"perenos/extract/records", "perenos/store", "perenos/charset", "perenos/attachtext", "perenos/links"},
	"perenos/extract/records/goldbench": {"perenos/extract", "perenos/extract/records", "perenos/charset", "perenos/attachtext"},
	"perenos/extract/zyte":              {"perenos/extract", "perenos/extract/records", "perenos/charset", "perenos/procstat"},
	"perenos/registry":                  {"perenos/store", "perenos/charset", "perenos/ziplimit"},
	"perenos/links":                     {"perenos/store"},
	"perenos/crawler":                   {"perenos/backoff", "perenos/store", "perenos/charset", "perenos/links"},
	"perenos/crawler/crawlbench":        {"perenos/crawler", "perenos/store", "perenos/procstat"},
	"perenos/regionbench":               {"perenos/charset", "perenos/crawler", "perenos/crawler/crawlbench", "perenos/extract", "perenos/extract/records", "perenos/mapping", "perenos/pipeline", "perenos/procstat", "perenos/store"},
	"perenos/mapping":                   {"perenos/store", "perenos/charset", "perenos/extract", "perenos/extract/records", "perenos/sheet"},
	"perenos/uploader":                  {"perenos/backoff", "perenos/portal", "perenos/mapping", "perenos/store"},
	"perenos/uploader/uploadertest":     {"perenos/portal", "perenos/uploader"},
	// The benchmark runs the reference portal in-process.
	"perenos/uploader/uploadbench":  {"perenos/portal", "perenos/portal/server", "perenos/store", "perenos/uploader", "perenos/procstat"},
	"perenos/pipeline":              {"perenos/crawler", "perenos/extract", "perenos/mapping", "perenos/store", "perenos/uploader"},
	"perenos/review":                {"perenos/mapping", "perenos/store", "perenos/extract"},
	"perenos/review/browsertest":    {},
	"perenos/review/ledger":         {"perenos/review", "perenos/pipeline", "perenos/crawler", "perenos/mapping", "perenos/extract", "perenos/store", "perenos/uploader", "perenos/charset"},
	"perenos/report/binding":        {"perenos/store"},
	"perenos/report":                {"perenos/mapping", "perenos/report/binding", "perenos/sheet", "perenos/store"},
	"perenos/urlaudit":              {"perenos/crawler", "perenos/extract", "perenos/mapping", "perenos/sheet", "perenos/store", "perenos/uploader"},
	"perenos/demo":                  {"perenos", "perenos/crawler", "perenos/mapping", "perenos/pipeline", "perenos/portal", "perenos/portal/server", "perenos/report", "perenos/sheet", "perenos/store", "perenos/uploader"},
	"perenos/realsites":             {"perenos/crawler", "perenos/mapping", "perenos/pipeline", "perenos/store", "perenos/charset", "perenos/extract", "perenos/portal", "perenos/realsites/recordscore"},
	"perenos/realsites/recordscore": {"perenos/portal", "perenos/extract/records"},
	"perenos/realsites/perturb":     {},
	"perenos/cmd/perenos":           {"*"},
}

// onlyFromCommands are the packages only cmd/perenos (and demo, which it
// alone runs) may import.
var onlyFromCommands = []string{"perenos/review", "perenos/report"}

func TestImportsPointOneWay(t *testing.T) {
	imports := map[string]map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := "perenos"
		if dir := filepath.ToSlash(filepath.Dir(path)); dir != "." {
			pkg += "/" + dir
		}
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "perenos" || strings.HasPrefix(p, "perenos/") {
				imports[pkg][p] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 10 {
		t.Fatalf("found only %d packages; is the walk broken?", len(imports))
	}
	for pkg, imps := range imports {
		allowed, ok := importRules[pkg]
		if !ok {
			t.Errorf("%s has no import rule: add one to importRules saying which of our packages it may import", pkg)
		}
		for imp := range imps {
			if ok && !slices.Contains(allowed, "*") && !slices.Contains(allowed, imp) {
				t.Errorf("%s imports %s, which the layering forbids", pkg, imp)
			}
			if slices.Contains(onlyFromCommands, imp) && pkg != "perenos/cmd/perenos" && pkg != "perenos/demo" && !strings.HasPrefix(pkg, imp+"/") {
				t.Errorf("%s imports %s: only cmd/perenos may", pkg, imp)
			}
		}
	}
}

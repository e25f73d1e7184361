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
// would say it: for each package, which of perenos's packages its
// non-test code may import. A package not listed may import anything of
// perenos except review and report (only cmd/perenos and the demo may).
var importRules = map[string][]string{
	"perenos/store":      {},
	"perenos/charset":    {},
	"perenos/backoff":    {},
	"perenos/attachtext": {},
	"perenos/portal":     {},
	// The reference server implements the contract; the contract checker
	// reads its OpenAPI document. A client compiles neither.
	"perenos/portal/server":       {"perenos/portal"},
	"perenos/portal/contracttest": {"perenos/portal"},
	"perenos/extract/records":     {},
	"perenos/extract":             {"perenos/extract/records", "perenos/store", "perenos/charset", "perenos/attachtext"},
	"perenos/registry":            {"perenos/store"},
	"perenos/crawler":             {"perenos/backoff", "perenos/store", "perenos/charset", "perenos/extract", "perenos/extract/records"},
	"perenos/mapping":             {"perenos/store", "perenos/charset", "perenos/extract", "perenos/extract/records"},
	// The uploader speaks the portal's contract only, never its server.
	"perenos/uploader":              {"perenos/backoff", "perenos/portal", "perenos/mapping", "perenos/store", "perenos/extract", "perenos/extract/records"},
	"perenos/uploader/uploadertest": {"perenos/portal", "perenos/uploader"},
	// The benchmark runs the reference portal in-process.
	"perenos/uploader/uploadbench": {"perenos/portal/server", "perenos/store", "perenos/uploader"},
	"perenos/review":               {"perenos/mapping", "perenos/store", "perenos/extract", "perenos/extract/records"},
	"perenos/report/binding":       {"perenos/store"},
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
		for imp := range imps {
			if allowed, ok := importRules[pkg]; ok && !slices.Contains(allowed, imp) {
				t.Errorf("%s imports %s, which the layering forbids", pkg, imp)
			}
			if slices.Contains(onlyFromCommands, imp) && pkg != "perenos/cmd/perenos" && pkg != "perenos/demo" && !strings.HasPrefix(pkg, imp+"/") {
				t.Errorf("%s imports %s: only cmd/perenos may", pkg, imp)
			}
		}
	}
}

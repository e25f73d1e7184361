package review_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// axe-core, loaded only by the tests (review/editor/build.sh copies it in).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	return string(b), err
})

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkA11y runs axe-core (WCAG 2.1 A and AA rules, and best practices) on
// the page the tab shows, and fails the test for every serious or critical
// violation.
func checkA11y(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatalf("axe-core: %v (run sh review/editor/build.sh)", err)
	}
	if loaded, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`)); !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](src)); err != nil {
			t.Fatalf("load axe-core into %s: %v", what, err)
		}
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](`axe.run(document, {iframes: false, resultTypes: ["violations"],
		runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe-core on %s: %v", what, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("axe-core result on %s: %v", what, err)
	}
	var minor []string
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes[:min(len(v.Nodes), 3)] {
			where = append(where, fmt.Sprintf("%v %.120s", n.Target, n.HTML))
		}
		line := fmt.Sprintf("%s (%s): %s\n    %s", v.ID, v.Impact, v.Help, strings.Join(where, "\n    "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("accessibility of %s: %s", what, line)
		} else {
			minor = append(minor, line)
		}
	}
	if len(minor) > 0 {
		t.Logf("accessibility of %s, moderate and minor: %s", what, strings.Join(minor, "\n"))
	}
}

// screenshot saves what the tab shows as name.png in the test's artifact
// directory (kept with go test -artifacts) and logs where.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(shot) < 10000 {
		t.Errorf("screenshot %s of %d bytes: is the page blank?", name, len(shot))
	}
	path := filepath.Join(t.ArtifactDir(), name+".png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// watchCSP makes every page the tab opens record the Content-Security-Policy
// violations it meets in window.__csp.
func watchCSP(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener("securitypolicyviolation", e => window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || "")));`,
		})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
}

// cspViolations returns what the page the tab shows had refused by its policy.
func cspViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

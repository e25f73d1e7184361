// Package browsertest drives the review web UI in headless Chromium for
// tests, as people use it: tabs of one shared browser, waits for what a
// page shows, axe-core accessibility checks and screenshots a person can
// look at. It is imported by tests only (review's and cmd/perenos's); a
// test binary that uses it calls Close from its TestMain.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// One browser serves every browser test of a test binary.
var browser struct {
	once   sync.Once
	ctx    context.Context
	cancel func()
	err    string
}

// Close stops the shared browser, if one was started.
func Close() {
	if browser.cancel != nil {
		browser.cancel()
	}
}

// Tab opens a tab of the shared headless Chromium in a browser context of
// its own (its own cookies: a fresh browser, as far as the server can
// tell), skipping the test when chromium is not installed and failing it
// when CI=true.
func Tab(t *testing.T) context.Context {
	t.Helper()
	browser.once.Do(func() {
		path := ""
		for _, name := range []string{"chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			browser.err = "chromium is not installed (apt-get install chromium fonts-dejavu-core)"
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true), chromedp.WindowSize(1280, 1000))
		actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, bcancel := chromedp.NewContext(actx)
		if err := chromedp.Do(bctx); err != nil { // starts the browser
			bcancel()
			acancel()
			browser.err = "chromium does not start: " + err.Error()
			return
		}
		browser.ctx, browser.cancel = bctx, func() { bcancel(); acancel() }
	})
	if browser.err != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(browser.err)
		}
		t.Skip(browser.err)
	}
	tab, cancel := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(tab, 45*time.Second) // generous: CI machines may be busy
	t.Cleanup(cancelT)
	return ctx
}

// WaitText waits until the element sel shows want.
func WaitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	s, _ := json.Marshal(sel)
	w, _ := json.Marshal(want)
	expr := "(() => { const e = document.querySelector(" + string(s) + "); return !!e && e.innerText.includes(" + string(w) + "); })()"
	// A click may start a navigation that kills a running poll, so poll
	// with short evaluations until the text shows.
	deadline := time.Now().Add(8 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		if ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	body, _ := chromedp.Run(ctx, chromedp.Text("body"))
	t.Fatalf("waiting for %q in %s: %v\npage:\n%.1500s", want, sel, err, body)
}

// Value reads the value of the form field sel from the page as it is now.
// It asks the page itself rather than a node chromedp found: after a form
// is posted and the page replaced, a node found a moment before may be
// gone, and reading it fails with «No node with given id found».
func Value(ctx context.Context, sel string) (string, error) {
	s, _ := json.Marshal(sel)
	return chromedp.Run(ctx, chromedp.Evaluate[string]("(() => { const e = document.querySelector("+string(s)+"); return e ? e.value : ''; })()"))
}

// WaitFor waits until the expression is true in the tab.
func WaitFor(t *testing.T, ctx context.Context, expr, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	body, _ := chromedp.Run(ctx, chromedp.Text("body"))
	t.Fatalf("waiting for %s: not so\npage:\n%.1500s", what, body)
}

// Do runs steps in the tab and fails the test if one fails.
func Do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// Text returns what the element sel shows.
func Text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// axe-core, loaded only by the tests (review/editor/build.sh copies it
// into review/testdata/axe).
var axeSource = sync.OnceValues(func() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", fmt.Errorf("where is package browsertest?")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "testdata", "axe", "axe.min.js"))
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

// CheckA11y runs axe-core (WCAG 2.1 A and AA rules, and best practices) on
// the page the tab shows, and fails the test for every serious or critical
// violation; the others are logged.
func CheckA11y(t *testing.T, ctx context.Context, what string) {
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

// Screenshot saves what the tab shows as name.png in the test's artifact
// directory (kept with go test -artifacts) and logs where.
func Screenshot(t *testing.T, ctx context.Context, name string) {
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

// WatchCSP makes every page the tab opens record the Content-Security-Policy
// violations it meets in window.__csp.
func WatchCSP(t *testing.T, ctx context.Context) {
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

// CSPViolations returns what the page the tab shows had refused by its policy.
func CSPViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.__csp || []`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

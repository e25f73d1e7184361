package review_test

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAdminEditsATableInTheVisualEditor is the admin's edit as a person
// does it, in headless Chromium: open the page's visual editor (no
// Markdown in sight), change a table cell, add a row with the toolbar,
// save, and see the change in the preview and in the plan, as a Markdown
// table. The page keeps its strict policy: nothing is refused by it.
func TestAdminEditsATableInTheVisualEditor(t *testing.T) {
	f := newFixture(t)
	ctx := newTab(t)
	watchCSP(t, ctx)
	link, _ := f.invite(t, hostileID, time.Hour)
	plan, err := f.src.Plan(hostileID)
	if err != nil {
		t.Fatal(err)
	}
	key := itemKey(t, plan, "/kruzhki.html")
	itemPage := f.url + "/site/" + hostileID + "/item?key=" + url.QueryEscape(key)

	do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible("#enter"), chromedp.Click("#enter"))
	waitText(t, ctx, "main", "Структура сайта")
	do(t, ctx, chromedp.Navigate(itemPage))
	waitText(t, ctx, "h1", "Кружки и секции")
	waitFor(t, ctx, `document.querySelector('.md-editor[data-ready="true"] .md-doc table') !== null`, "the editor shows the table")
	if hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("edit-body").hidden`)); !hidden {
		t.Error("the Markdown textarea is still shown beside the visual editor")
	}
	rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".md-doc table tr").length`))
	if rows != 4 {
		t.Fatalf("the editor's table has %d rows, want 4 (a header and 3)", rows)
	}

	// Put the cursor at the end of the cell «суббота» and type.
	placeCaret(t, ctx, "суббота")
	do(t, ctx, chromedp.KeyEvent(" и воскресенье"))
	waitText(t, ctx, ".md-doc", "суббота и воскресенье")
	// Add a row below with the toolbar, and fill its first cell.
	do(t, ctx, chromedp.Click(`.md-toolbar button[title="Добавить строку таблицы ниже"]`))
	waitFor(t, ctx, `document.querySelectorAll(".md-doc table tr").length === 5`, "a fifth row")
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const cell = document.querySelectorAll(".md-doc table tr")[3].querySelector("td p");
		const r = document.createRange(); r.setStart(cell, 0); r.collapse(true);
		const s = getSelection(); s.removeAllRanges(); s.addRange(r);
		document.querySelector(".md-doc").focus();
	})()`), chromedp.Sleep(100*time.Millisecond), chromedp.KeyEvent("Хор"))
	waitText(t, ctx, ".md-doc", "Хор")
	checkA11y(t, ctx, "the item page with the visual editor")
	screenshot(t, ctx, "editor")

	do(t, ctx, chromedp.Click("#save"))
	waitText(t, ctx, ".flash", "исправления внесены")
	waitText(t, ctx, ".preview table", "суббота и воскресенье")
	waitText(t, ctx, ".preview table", "Хор")
	screenshot(t, ctx, "after-save")
	if v := cspViolations(t, ctx); len(v) > 0 {
		t.Errorf("the page's policy refused: %v", v)
	}

	after, err := f.src.Plan(hostileID)
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, it := range after.Unplaced {
		if it.Key == key {
			body = it.Body
		}
	}
	for _, s := range after.Sections {
		for _, it := range s.Items {
			if it.Key == key {
				body = it.Body
			}
		}
	}
	for _, re := range []string{
		`(?m)^\|\s*Кружок\s*\|\s*Руководитель\s*\|\s*Дни\s*\|$`,
		`(?m)^\|\s*Лыжная секция\s*\|\s*Учитель физкультуры\s*\|\s*суббота и воскресенье\s*\|$`,
		`(?m)^\|\s*Хор\s*\|\s*\|\s*\|$`,
		`(?m)^\|\s*Юный краевед\s*\|\s*Учитель истории\s*\|\s*среда\s*\|$`,
		`Занятия бесплатные`,
	} {
		if !regexp.MustCompile(re).MatchString(body) {
			t.Errorf("the plan's Markdown lacks %s:\n%s", re, body)
		}
	}
	if strings.Contains(body, "<table") || strings.Contains(body, "<td") {
		t.Errorf("the editor wrote HTML instead of a Markdown table:\n%s", body)
	}
}

// placeCaret puts the cursor at the end of the editor's text node that is
// text, as a click there would.
func placeCaret(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	q, _ := json.Marshal(text)
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const doc = document.querySelector(".md-doc");
		const walk = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
		for (let n = walk.nextNode(); n; n = walk.nextNode()) {
			if (n.data === `+string(q)+`) {
				doc.focus();
				const r = document.createRange(); r.setStart(n, n.data.length); r.collapse(true);
				const s = getSelection(); s.removeAllRanges(); s.addRange(r);
				return true;
			}
		}
		return false;
	})()`))
	if err != nil || !ok {
		t.Fatalf("no text %q in the editor (%v)", text, err)
	}
	do(t, ctx, chromedp.Sleep(100*time.Millisecond)) // ProseMirror reads the selection on selectionchange
}

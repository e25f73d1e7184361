package review_test

import (
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"perenos/review/browsertest"
	"perenos/store"
)

func TestMain(m *testing.M) {
	code := m.Run()
	browsertest.Close()
	os.Exit(code)
}

// The browser helpers, by the names these tests call them.
var (
	newTab        = browsertest.Tab
	waitText      = browsertest.WaitText
	waitFor       = browsertest.WaitFor
	do            = browsertest.Do
	valueOf       = browsertest.Value
	checkA11y     = browsertest.CheckA11y
	screenshot    = browsertest.Screenshot
	watchCSP      = browsertest.WatchCSP
	cspViolations = browsertest.CSPViolations
)

// TestAdminReviewsAndOperatorSeesIt is the review as people do it: the
// admin opens the invitation, moves one item, excludes another with a
// reason and approves; the operator then sees the new state and the events.
func TestAdminReviewsAndOperatorSeesIt(t *testing.T) {
	f := newFixture(t)
	ctx := newTab(t)
	link, _ := f.invite(t, schoolID, time.Hour)
	plan, err := f.src.Plan(schoolID)
	if err != nil {
		t.Fatal(err)
	}
	moved, excluded := itemKey(t, plan, "/history.html"), itemKey(t, plan, "/contacts.html")
	other := plan.Section("other")
	if other == nil {
		t.Fatal("the school profile has no section «other»")
	}
	itemPage := func(key string) string {
		return f.url + "/site/" + schoolID + "/item?key=" + url.QueryEscape(key)
	}

	// The admin enters and sees their own organisation only.
	do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible("#enter"), chromedp.Click("#enter"))
	waitText(t, ctx, "main", "Структура сайта")
	body, err := chromedp.Run(ctx, chromedp.Text("body"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "МБОУ СОШ № 7") || strings.Contains(body, "Озёрной") {
		t.Fatalf("the admin's page is not just their organisation:\n%.800s", body)
	}
	do(t, ctx, chromedp.Navigate(f.url+"/site/"+hostileID))
	waitText(t, ctx, "main", "Страница не найдена")

	// Move an item.
	do(t, ctx, chromedp.Navigate(itemPage(moved)), chromedp.WaitVisible("#move-section"),
		chromedp.SetValue("#move-section", "other"), chromedp.Click("#move"))
	waitText(t, ctx, ".flash", "перемещён")
	waitText(t, ctx, "#where", other.Title)

	// Exclude one with a reason; the form demands the reason first.
	do(t, ctx, chromedp.Navigate(itemPage(excluded)), chromedp.WaitVisible("#exclude"), chromedp.Click("#exclude"))
	if valid, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("exclude-reason").checkValidity()`)); err != nil || valid {
		t.Fatalf("an empty reason passes the form: %v %v", valid, err)
	}
	do(t, ctx, chromedp.SendKeys("#exclude-reason", "Контакты заполним на портале заново"), chromedp.Click("#exclude"))
	waitText(t, ctx, "#where", "исключено")

	// The site view, as the admin sees it before approving.
	do(t, ctx, chromedp.Navigate(f.url+"/site/"+schoolID), chromedp.WaitVisible("#approve"))
	waitText(t, ctx, "#site-state", "на проверке")
	screenshot(t, ctx, "site-view")

	// Readable on a phone: nothing wider than the screen, site view and item view.
	for _, u := range []string{f.url + "/site/" + schoolID, itemPage(moved)} {
		do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(u))
		waitText(t, ctx, "h1", "")
		over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
		if err != nil || over > 1 {
			t.Errorf("%s is %d px wider than a phone screen (%v)", u, over, err)
		}
	}
	screenshot(t, ctx, "item-view-phone")
	do(t, ctx, chromedp.EmulateReset(), chromedp.Navigate(f.url+"/site/"+schoolID), chromedp.WaitVisible("#approve"))
	// Open mandated gaps must be confirmed: the form does not go without it.
	do(t, ctx, chromedp.Click("#approve"))
	time.Sleep(300 * time.Millisecond)
	if o, _ := f.ws.Org(schoolID); o.State == store.Approved {
		t.Fatal("approved without confirming the open gaps")
	}
	do(t, ctx, chromedp.Click("#approve-gaps"), chromedp.Click("#approve"))
	waitText(t, ctx, "#site-state", "одобрено")
	if o, _ := f.ws.Org(schoolID); o.State != store.Approved {
		t.Fatalf("ledger state after approval: %s", o.State)
	}

	// The operator, in a fresh browser context, sees the state and the events.
	op := newTab(t)
	do(t, op, chromedp.Navigate(f.url+"/login"), chromedp.WaitVisible(`input[name="name"]`),
		chromedp.SendKeys(`input[name="name"]`, opName), chromedp.SendKeys(`input[name="password"]`, opPass),
		chromedp.Click(`form[action="/login"] button`))
	waitText(t, op, "main", "Сайты региона")
	waitText(t, op, `tr[data-org="`+schoolID+`"] .state`, "одобрено")
	waitText(t, op, `tr[data-org="`+hostileID+`"] .state`, "размещено по разделам")
	screenshot(t, op, "sites")
	do(t, op, chromedp.Navigate(f.url+"/site/"+schoolID+"/events"))
	for _, want := range []string{"администратор организации (приглашение", "перемещено в раздел «" + other.Title + "»", "исключено: Контакты заполним на портале заново", "одобрено при проверке"} {
		waitText(t, op, "main", want)
	}

	// A hostile legacy page shown to the operator runs nothing.
	hplan, _ := f.src.Plan(hostileID)
	do(t, op, chromedp.Navigate(f.url+"/site/"+hostileID+"/item?key="+url.QueryEscape(itemKey(t, hplan, "/events.html"))), chromedp.WaitVisible("iframe.original"))
	waitText(t, op, "main", "Собрание родителей")
	time.Sleep(300 * time.Millisecond) // give any injected handler the chance to fire
	screenshot(t, op, "item-view")
	pwned, err := chromedp.Run(op, chromedp.Evaluate[bool](`window.__pwned !== undefined || document.title.includes("ВЗЛОМ")`))
	if err != nil || pwned {
		t.Fatalf("legacy script ran: %v %v", pwned, err)
	}
}

// TestAdminPagesAreAccessible runs axe-core on every page an organisation's
// admin sees (WCAG 2.1 AA and best practices: labels, contrast, names,
// landmarks), with no serious or critical violation allowed, checks that
// the editor is reached by keyboard, and saves a screenshot of each page.
func TestAdminPagesAreAccessible(t *testing.T) {
	f := newFixture(t)
	ctx := newTab(t)
	link, _ := f.invite(t, hostileID, time.Hour)
	plan, _ := f.src.Plan(hostileID)
	if len(plan.Gaps) == 0 {
		t.Fatal("the fixture site has no gaps")
	}
	g := plan.Gaps[0]
	do(t, ctx, chromedp.Navigate(link), chromedp.WaitVisible("#enter"))
	checkA11y(t, ctx, "the invitation page")
	screenshot(t, ctx, "invite")
	do(t, ctx, chromedp.Click("#enter"))
	waitText(t, ctx, "main", "Структура сайта")
	waitText(t, ctx, "#personal", "Списки детей, зачисленных в 1 класс")
	for _, p := range []struct{ name, path, wait string }{
		{"site", "/site/" + hostileID, "Структура сайта"},
		{"item-page", "/site/" + hostileID + "/item?key=" + url.QueryEscape(itemKey(t, plan, "/kruzhki.html")), "Кружки и секции"},
		{"item-record", "/site/" + hostileID + "/item?key=" + url.QueryEscape(itemKey(t, plan, "#record-1-contact")), "Контакты"},
		{"item-personal", "/site/" + hostileID + "/item?key=" + url.QueryEscape(itemKey(t, plan, "/prikaz-zachislenie.html")), "Возможно, персональные данные"},
		{"gap", "/site/" + hostileID + "/gap?section=" + url.QueryEscape(g.Section) + "&item=" + url.QueryEscape(g.Item), "Заполнить пробел"},
		{"events", "/site/" + hostileID + "/events", "Журнал изменений"},
		{"not-found", "/site/" + hostileID + "/nothing-here", "Страница не найдена"},
	} {
		do(t, ctx, chromedp.Navigate(f.url+p.path))
		waitText(t, ctx, "main", p.wait)
		if strings.Contains(p.name, "item-page") || p.name == "gap" {
			waitFor(t, ctx, `document.querySelector('.md-editor[data-ready="true"]') !== null`, "the visual editor on "+p.name)
		}
		checkA11y(t, ctx, p.name)
		screenshot(t, ctx, p.name)
		body, _ := chromedp.Run(ctx, chromedp.Text("body"))
		for _, machine := range []string{"Not Found", "sveden:", "news:", "contact:", "[page]", "teachingStaff", "mapped", "in_review"} {
			if strings.Contains(body, machine) {
				t.Errorf("%s shows %q to the admin", p.name, machine)
			}
		}
	}

	// The editor is reached by keyboard: Tab from the title goes to its toolbar.
	do(t, ctx, chromedp.Navigate(f.url+"/site/"+hostileID+"/item?key="+url.QueryEscape(itemKey(t, plan, "/kruzhki.html"))))
	waitFor(t, ctx, `document.querySelector('.md-editor[data-ready="true"]') !== null`, "the visual editor")
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("edit-title").focus()`), chromedp.KeyEvent("\t"))
	if in, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.activeElement.closest(".md-toolbar") !== null`)); !in {
		t.Error("Tab from the title does not reach the editor's toolbar")
	}

	// A used link, in another browser, says so plainly and passes axe too.
	other := newTab(t)
	do(t, other, chromedp.Navigate(link))
	waitText(t, other, "main", "уже использована")
	checkA11y(t, other, "the used-link page")
	screenshot(t, other, "used-link")
}

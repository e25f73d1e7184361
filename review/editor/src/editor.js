// The visual editor of the review web UI. It turns every
// <textarea data-editor="markdown"> into a Milkdown (ProseMirror) editor
// with a toolbar for text and tables, and writes Markdown back into the
// textarea when the form is sent, so the server still receives Markdown
// (page bodies stay Markdown in the portal's contract). Without script the
// textarea works as it is. The bundle is built by build.sh; see README.md
// beside it.
import { Editor, rootCtx, defaultValueCtx, editorViewCtx, editorViewOptionsCtx } from "@milkdown/kit/core";
import {
  commonmark, remarkPreserveEmptyLinePlugin, toggleStrongCommand, toggleEmphasisCommand, wrapInHeadingCommand,
  wrapInBulletListCommand, wrapInOrderedListCommand, turnIntoTextCommand,
} from "@milkdown/kit/preset/commonmark";
import { gfm, insertTableCommand, tableCellSchema, tableHeaderSchema } from "@milkdown/kit/preset/gfm";
import { history, undoCommand, redoCommand } from "@milkdown/kit/plugin/history";
import { callCommand, getMarkdown, replaceAll } from "@milkdown/kit/utils";
import { addRowAfter, addColumnAfter, deleteRow, deleteColumn, isInTable } from "@milkdown/kit/prose/tables";
import "@milkdown/kit/prose/view/style/prosemirror.css";
import "@milkdown/kit/prose/tables/style/tables.css";
import "./editor.css";

// Table cells say their alignment with a class instead of a style
// attribute, so the page's style-src 'self' needs no 'unsafe-inline'.
function alignByClass(schema) {
  return schema.extendSchema((prev) => (ctx) => {
    const spec = prev(ctx);
    return {
      ...spec,
      toDOM(node) {
        const [tag, attrs] = spec.toDOM(node);
        const out = { ...attrs };
        delete out.style;
        out.class = "align-" + (node.attrs.alignment || "left");
        return [tag, out, 0];
      },
    };
  });
}

// The toolbar: each button is a labelled command, usable by keyboard.
const buttons = [
  { label: "Обычный текст", text: "Текст", run: (e) => e.action(callCommand(turnIntoTextCommand.key)) },
  { label: "Заголовок", text: "Заголовок", run: (e) => e.action(callCommand(wrapInHeadingCommand.key, 2)) },
  { label: "Подзаголовок", text: "Подзаголовок", run: (e) => e.action(callCommand(wrapInHeadingCommand.key, 3)) },
  { label: "Полужирный", text: "Ж", name: "Полужирный", cls: "b", run: (e) => e.action(callCommand(toggleStrongCommand.key)) },
  { label: "Курсив", text: "К", name: "Курсив", cls: "i", run: (e) => e.action(callCommand(toggleEmphasisCommand.key)) },
  { label: "Маркированный список", text: "• Список", run: (e) => e.action(callCommand(wrapInBulletListCommand.key)) },
  { label: "Нумерованный список", text: "1. Список", run: (e) => e.action(callCommand(wrapInOrderedListCommand.key)) },
  { sep: true },
  { label: "Вставить таблицу", text: "Таблица", run: (e) => e.action(callCommand(insertTableCommand.key, { row: 3, col: 3 })) },
  { label: "Добавить строку таблицы ниже", text: "+ строка", table: true, run: (e) => prose(e, addRowAfter) },
  { label: "Добавить столбец таблицы справа", text: "+ столбец", table: true, run: (e) => prose(e, addColumnAfter) },
  { label: "Удалить строку таблицы", text: "− строка", table: true, run: (e) => prose(e, deleteRow) },
  { label: "Удалить столбец таблицы", text: "− столбец", table: true, run: (e) => prose(e, deleteColumn) },
  { sep: true },
  { label: "Отменить", text: "Отменить", run: (e) => e.action(callCommand(undoCommand.key)) },
  { label: "Повторить", text: "Повторить", run: (e) => e.action(callCommand(redoCommand.key)) },
];

function prose(editor, command) {
  editor.action((ctx) => {
    const view = ctx.get(editorViewCtx);
    command(view.state, view.dispatch);
    view.focus();
  });
}

async function attach(textarea) {
  const label = textarea.getAttribute("aria-label") || "Текст";
  const wrap = document.createElement("div");
  wrap.className = "md-editor";
  const bar = document.createElement("div");
  bar.className = "md-toolbar";
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Оформление: " + label);
  const area = document.createElement("div");
  area.className = "md-area";
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "md-toggle link";
  toggle.textContent = "Показать как Markdown";
  wrap.append(bar, area);
  textarea.before(wrap);
  wrap.after(toggle);
  textarea.hidden = true;

  const editor = await Editor.make()
    .config((ctx) => {
      ctx.set(rootCtx, area);
      ctx.set(defaultValueCtx, textarea.value);
      ctx.update(editorViewOptionsCtx, (prev) => ({
        ...prev,
        attributes: { role: "textbox", "aria-multiline": "true", "aria-label": label, class: "md-doc", spellcheck: "true", lang: "ru" },
      }));
    })
    // Without the empty-line plugin an empty paragraph (an empty table
    // cell) is written as nothing rather than as a raw "<br />".
    .use(commonmark.filter((p) => p !== remarkPreserveEmptyLinePlugin.plugin && p !== remarkPreserveEmptyLinePlugin.options))
    .use(gfm)
    .use(alignByClass(tableCellSchema))
    .use(alignByClass(tableHeaderSchema))
    .use(history)
    .create();

  // What the editor would write for the text as it came: the form sends
  // the editor's Markdown only when the admin changed something, so that
  // opening and saving an item does not restyle its Markdown.
  let baseline = editor.action(getMarkdown());
  const tableButtons = [];
  for (const b of buttons) {
    if (b.sep) {
      const s = document.createElement("span");
      s.className = "md-sep";
      s.setAttribute("aria-hidden", "true");
      bar.append(s);
      continue;
    }
    const el = document.createElement("button");
    el.type = "button";
    el.textContent = b.text;
    el.title = b.label;
    // The accessible name starts with what the button shows (WCAG 2.5.3),
    // then says what it does.
    if (b.name) el.setAttribute("aria-label", b.name);
    else if (!b.label.toLowerCase().includes(b.text.toLowerCase())) el.setAttribute("aria-label", b.text + ": " + b.label.toLowerCase());
    else el.setAttribute("aria-label", b.label);
    if (b.cls) el.classList.add(b.cls);
    el.addEventListener("mousedown", (ev) => ev.preventDefault()); // keep the selection
    el.addEventListener("click", () => {
      b.run(editor);
      editor.action((ctx) => ctx.get(editorViewCtx).focus());
      update();
    });
    if (b.table) tableButtons.push(el);
    bar.append(el);
  }
  // Table buttons are on only when the cursor is in a table.
  function update() {
    const inTable = editor.action((ctx) => isInTable(ctx.get(editorViewCtx).state));
    for (const el of tableButtons) el.disabled = !inTable;
  }
  area.addEventListener("keyup", update);
  area.addEventListener("mouseup", update);
  update();

  let raw = false;
  toggle.addEventListener("click", () => {
    if (!raw) {
      const md = editor.action(getMarkdown());
      if (md !== baseline) textarea.value = md;
      wrap.hidden = true;
      textarea.hidden = false;
      toggle.textContent = "Вернуться к визуальному редактору";
      textarea.focus();
    } else {
      editor.action(replaceAll(textarea.value));
      baseline = editor.action(getMarkdown());
      textarea.hidden = true;
      wrap.hidden = false;
      toggle.textContent = "Показать как Markdown";
    }
    raw = !raw;
  });
  textarea.form.addEventListener("submit", () => {
    if (raw) return;
    const md = editor.action(getMarkdown());
    if (md !== baseline) textarea.value = md;
  });
  wrap.dataset.ready = "true";
}

for (const ta of document.querySelectorAll('textarea[data-editor="markdown"]')) {
  attach(ta).catch((err) => {
    // The textarea stays usable; say why the editor is missing.
    ta.hidden = false;
    const note = document.createElement("p");
    note.className = "error";
    note.textContent = "Визуальный редактор не запустился, текст можно править как Markdown.";
    ta.before(note);
    console.error(err);
  });
}

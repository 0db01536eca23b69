/*
 * llm-calls-side-by-side: a JupyterLab 4 extension, written by hand (no build step, nothing to download).
 *
 * Why: the side-by-side layouts put three notebooks in a row, so each column is narrow.
 * - Long code lines wrap, and CodeMirror starts a wrapped line's continuation at column 0: in Python that
 *   reads like a dedent. Here every line gets a hanging indent: its continuation starts four columns past
 *   the line's own indentation (but always leaves sixteen columns to each row, so a deeply indented line
 *   still wraps readably).
 * - A cell whose code is hidden (an exercise's solution) shows a one-line summary that JupyterLab never
 *   lets shrink, so in a narrow column the whole notebook scrolls sideways. Here it ends in an ellipsis.
 *
 * How: JupyterLab loads each federated extension's `load` script (package.json) and expects it to register
 * a module-federation container as window._JUPYTERLAB[name] with init(shareScope) and get(module). A bundler
 * usually writes that container; this one is small enough to write directly. The share scope is where
 * JupyterLab hands out its own copies of @jupyterlab/codemirror and @codemirror/*: an extension must use
 * those (CodeMirror's classes only work with the one copy the editors were built with).
 */
(function () {
  "use strict";
  const NAME = "llm-calls-side-by-side";
  let shareScope = null;

  // A shared module from JupyterLab's scope: its highest version (JupyterLab ships one of each).
  async function shared(packageName) {
    const versions = shareScope && shareScope[packageName];
    if (!versions) {
      throw new Error(`${NAME}: JupyterLab shares no ${packageName}`);
    }
    const newest = Object.keys(versions).sort().pop();
    const factory = await versions[newest].get();
    return typeof factory === "function" ? factory() : factory;
  }

  const HANG = 4; // columns past the line's own indentation where its wrapped rows start
  const ROOM = 16; // columns a wrapped row always keeps, however deep its line is indented
  const PADDING = 6; // px: CodeMirror's own left padding of a line (its base theme), kept
  const RIGHT_PADDING = 2; // px: and its right padding

  function indentation(text, tabSize) {
    let columns = 0;
    for (const character of text) {
      if (character === " ") columns += 1;
      else if (character === "\t") columns += tabSize - (columns % tabSize);
      else break;
    }
    return columns;
  }

  function hangingIndent(view, state) {
    const { Decoration, ViewPlugin } = view;
    const { RangeSetBuilder } = state;
    const cache = new Map(); // one decoration per kind of line
    // The first row keeps its place (the negative text-indent undoes the padding); the rows it wraps into
    // start at the padding. A line whose first word is longer than its first row has room for would leave
    // that row empty (the browser breaks after the indentation first): such a line breaks inside words.
    function lineDecoration(hang, breakWords) {
      const key = `${hang}:${breakWords}`;
      if (!cache.has(key)) {
        const breaking = breakWords ? "; word-break: break-all" : "";
        cache.set(key, Decoration.line({
          attributes: {
            class: "llm-calls-hang",
            style: `padding-left: calc(${hang}ch + ${PADDING}px); text-indent: -${hang}ch${breaking}`,
          },
        }));
      }
      return cache.get(key);
    }
    // How many columns the editor shows: the hang must leave ROOM of them to the rows.
    function columnsOf(editorView) {
      const width = editorView.contentDOM.clientWidth - PADDING - RIGHT_PADDING;
      return Math.floor(width / editorView.defaultCharacterWidth);
    }
    function decorate(editorView, columns) {
      const builder = new RangeSetBuilder();
      if (!editorView.lineWrapping) return builder.finish(); // nothing wraps: nothing to do
      // Every line CodeMirror draws, not only those in sight (a line scrolled into sight without the
      // viewport changing gets no update of its own): the viewport, and the lines holding the selection,
      // which CodeMirror draws wherever they are.
      const doc = editorView.state.doc;
      const numbers = new Set();
      const { from, to } = editorView.viewport;
      for (let number = doc.lineAt(from).number; number <= doc.lineAt(to).number; number++) {
        numbers.add(number);
      }
      for (const range of editorView.state.selection.ranges) {
        numbers.add(doc.lineAt(range.anchor).number);
        numbers.add(doc.lineAt(range.head).number);
      }
      for (const number of [...numbers].sort((a, b) => a - b)) {
        const line = doc.line(number);
        const depth = indentation(line.text, editorView.state.tabSize);
        const hang = Math.max(0, Math.min(depth + HANG, columns - ROOM));
        const firstWord = /^\s*(\S*)/.exec(line.text)[1].length;
        builder.add(line.from, line.from, lineDecoration(hang, depth + firstWord >= columns));
      }
      return builder.finish();
    }
    return ViewPlugin.fromClass(class {
      constructor(editorView) {
        this.columns = columnsOf(editorView);
        this.wrapping = editorView.lineWrapping;
        this.decorations = decorate(editorView, this.columns);
      }
      update(update) {
        // Rebuilt when the text, the lines drawn, the width in columns or the wrapping changed; a change
        // of height alone (which these decorations cause) leaves them as they are, so this never loops.
        const columns = update.geometryChanged ? columnsOf(update.view) : this.columns;
        const wrapping = update.view.lineWrapping; // the setting can change while the editor is open
        if (update.docChanged || update.viewportChanged || update.selectionSet || columns !== this.columns
            || wrapping !== this.wrapping) {
          this.columns = columns;
          this.wrapping = wrapping;
          this.decorations = decorate(update.view, columns);
        }
      }
    }, { decorations: (plugin) => plugin.decorations });
  }

  // JupyterLab's summary of a hidden cell is a flex item that keeps its content's width (min-width: auto)
  // and a line that never wraps (white-space: nowrap): let it shrink, and end in an ellipsis.
  function addStyle() {
    const style = document.createElement("style");
    style.id = NAME;
    style.textContent = `
      .jp-Placeholder-content, .jp-Placeholder-contentContainer, .jp-PlaceholderText { min-width: 0; }
      .jp-PlaceholderText { text-overflow: ellipsis; }`;
    document.head.appendChild(style);
  }

  async function extension() {
    const [codemirror, view, state] = await Promise.all(
      [shared("@jupyterlab/codemirror"), shared("@codemirror/view"), shared("@codemirror/state")]);
    const plugin = {
      id: `${NAME}:plugin`,
      description: "Narrow notebook columns: wrapped code lines hang, hidden cells' summaries fit.",
      autoStart: true,
      requires: [codemirror.IEditorExtensionRegistry],
      activate(app, registry) {
        addStyle();
        registry.addExtension({
          name: `${NAME}:hanging-indent`,
          factory: () => codemirror.EditorExtensionRegistry.createImmutableExtension(
            hangingIndent(view, state)),
        });
      },
    };
    return { default: plugin, __esModule: true };
  }

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init(scope) { shareScope = scope; return Promise.resolve(); },
    async get(module) {
      if (module !== "./extension") throw new Error(`${NAME} has no module ${module}`);
      const exports = await extension();
      return () => exports;
    },
  };
})();

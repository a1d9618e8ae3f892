// What tests/e2e/test_fit_on_phones.py measures on a page, as a person with gloves in sunlight
// on a small phone would meet it. Returns {scroll, targets, exceptions, text, faint}.
(() => {
  const MIN_TARGET = 44;
  const MIN_FONT = 14;
  const MIN_CONTRAST = 4.5;
  const TARGETS = [
    "a[href]", "button", "input:not([type=hidden])", "select", "textarea", "summary",
    "[role=button]", "[role=checkbox]", "[role=link]", "[tabindex]:not([tabindex='-1'])",
  ].join(", ");

  const shown = (el) => {
    if (el.closest("[hidden], [inert], .sr-only")) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    const box = el.getBoundingClientRect();
    return box.width >= 1 && box.height >= 1;
  };
  const name = (el) => {
    const id = el.getAttribute("data-testid") || el.id || el.getAttribute("name") || "";
    const text = (el.getAttribute("aria-label") || el.innerText || el.textContent || el.value || "").trim().replace(/\s+/g, " ");
    return `<${el.tagName.toLowerCase()}${id ? ` ${id}` : ""}> "${text.slice(0, 40)}"`;
  };
  const inside = (outer, inner) =>
    outer.left <= inner.left + 0.5 && outer.top <= inner.top + 0.5 &&
    outer.right >= inner.right - 0.5 && outer.bottom >= inner.bottom - 0.5;
  // WCAG 2.5.8's inline exception: a link inside a sentence, whose height the text's line sets.
  const inlineInText = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement;
    const own = (el.innerText || "").trim().length;
    return block && (block.innerText || "").trim().length > own + 3;
  };

  const targets = [];
  const exceptions = [];
  for (const el of document.querySelectorAll(TARGETS)) {
    if (!shown(el)) continue;
    let box = el.getBoundingClientRect();
    // A control inside (or under) its label is tapped anywhere on the label: measure the label.
    for (const label of el.labels || []) {
      const lbox = label.getBoundingClientRect();
      if (inside(lbox, box) && lbox.width * lbox.height > box.width * box.height) box = lbox;
    }
    if (box.width + 0.5 >= MIN_TARGET && box.height + 0.5 >= MIN_TARGET) continue;
    const size = `${Math.round(box.width)}×${Math.round(box.height)}`;
    if (inlineInText(el)) exceptions.push(`${name(el)} ${size}: inline link in running text`);
    else targets.push(`${name(el)} ${size}`);
  }

  // Contrast against the first opaque background behind the text (WCAG's relative luminance).
  const rgba = (value) => (value.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let at = el; at; at = at.parentElement) {
      const [r, g, b, a = 1] = rgba(getComputedStyle(at).backgroundColor);
      if (a >= 0.99) return [r, g, b];
    }
    return [255, 255, 255];
  };
  const contrast = (el) => {
    const [r, g, b, a = 1] = rgba(getComputedStyle(el).color);
    let alpha = a;
    for (let at = el; at; at = at.parentElement) alpha *= parseFloat(getComputedStyle(at).opacity);
    const bg = background(el);
    const fg = [r, g, b].map((c, i) => c * alpha + bg[i] * (1 - alpha));
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };

  const text = new Set();
  const faint = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const value = node.nodeValue.trim();
    const el = node.parentElement;
    if (!value || !el || el.closest("script, style, template, option, noscript")) continue;
    if (!shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getClientRects().length === 0) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px + 0.01 < MIN_FONT) text.add(`${name(el)} ${px.toFixed(2)}px`);
    const ratio = el.closest("[aria-hidden=true]") ? Infinity : contrast(el);  // decoration aside
    if (ratio < MIN_CONTRAST) faint.add(`${name(el)} ${ratio.toFixed(2)}:1`);
  }

  const scroller = document.scrollingElement;
  return {
    scroll: { width: scroller.scrollWidth, viewport: window.innerWidth },
    targets,
    exceptions,
    text: [...text],
    faint: [...faint],
  };
})()

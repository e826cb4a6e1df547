/*
 * NetBox UI behaviour: navigation state, alerts, list selection and table configuration, copy buttons, and the
 * type-ahead that turns related-object <select>s into searches against the REST API.
 * Plain ES2017, no dependencies.
 */
(function () {
  'use strict';

  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  /* Navigation: mark the current page's link, open its menu, remember open menus. */
  function initNavigation() {
    const path = window.location.pathname;
    let best = null;
    $$('.nav-link').forEach((link) => {
      const href = link.getAttribute('href');
      if (href && path.startsWith(href) && (!best || href.length > best.getAttribute('href').length)) {
        best = link;
      }
    });
    let stored = [];
    try {
      stored = JSON.parse(window.localStorage.getItem('netbox.nav.open') || '[]');
    } catch (error) {
      stored = [];
    }
    $$('.nav-menu').forEach((menu) => {
      if (stored.includes(menu.dataset.menu)) {
        menu.open = true;
      }
      menu.addEventListener('toggle', () => {
        const open = $$('.nav-menu').filter((item) => item.open).map((item) => item.dataset.menu);
        try {
          window.localStorage.setItem('netbox.nav.open', JSON.stringify(open));
        } catch (error) { /* private mode: nothing to remember */ }
      });
    });
    if (best) {
      best.classList.add('active');
      best.setAttribute('aria-current', 'page');
      const menu = best.closest('.nav-menu');
      if (menu) {
        menu.open = true;
      }
    }
    $$('[data-toggle-sidebar]').forEach((button) => {
      button.addEventListener('click', () => document.body.classList.toggle('sidebar-open'));
    });
  }

  /* Close open <details> dropdowns when clicking elsewhere. */
  function initDropdowns() {
    document.addEventListener('click', (event) => {
      $$('details.user-menu[open], details.menu-button[open], details.per-page[open]').forEach((details) => {
        if (!details.contains(event.target)) {
          details.open = false;
        }
      });
    });
  }

  function initAlerts() {
    $$('[data-dismiss]').forEach((button) => {
      button.addEventListener('click', () => button.closest('.alert').remove());
    });
  }

  function initToggles() {
    $$('[data-toggle]').forEach((button) => {
      const target = $(button.dataset.toggle);
      if (!target) {
        return;
      }
      button.addEventListener('click', () => {
        target.hidden = !target.hidden;
        button.setAttribute('aria-expanded', String(!target.hidden));
        if (!target.hidden) {
          const first = $('input, select, textarea', target);
          if (first && first.type !== 'hidden') {
            first.focus({ preventScroll: true });
          }
        }
      });
    });
  }

  function initCopyButtons() {
    $$('[data-copy]').forEach((button) => {
      button.addEventListener('click', () => {
        const source = $(button.dataset.copy);
        if (!source) {
          return;
        }
        const text = source.textContent.trim();
        const done = () => {
          const label = button.textContent;
          button.textContent = 'Copied';
          window.setTimeout(() => { button.textContent = label; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, () => selectText(source));
        } else {
          selectText(source);
        }
      });
    });
  }

  function selectText(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  /* List pages: row checkboxes, select-all, bulk buttons. */
  function initSelection() {
    const form = $('#object-list');
    if (!form) {
      return;
    }
    const master = $('[data-select-all]', form);
    const boxes = $$('input[name="pk"]', form);
    const counter = $('[data-selected-count]', form);
    const matching = $('[data-select-all-matching]', form);
    const matchingBox = matching ? $('input', matching) : null;
    const buttons = $$('[data-needs-selection]', form);

    function update() {
      const selected = boxes.filter((box) => box.checked);
      boxes.forEach((box) => box.closest('tr').classList.toggle('selected', box.checked));
      const all = boxes.length > 0 && selected.length === boxes.length;
      if (master) {
        master.checked = all;
        master.indeterminate = selected.length > 0 && !all;
      }
      if (matching) {
        matching.hidden = !all;
        if (!all && matchingBox) {
          matchingBox.checked = false;
        }
      }
      if (counter) {
        counter.textContent = matchingBox && matchingBox.checked ? 'All matching' : String(selected.length);
      }
      buttons.forEach((button) => { button.disabled = selected.length === 0; });
    }

    if (master) {
      master.addEventListener('change', () => {
        boxes.forEach((box) => { box.checked = master.checked; });
        update();
      });
    }
    boxes.forEach((box) => box.addEventListener('change', update));
    if (matchingBox) {
      matchingBox.addEventListener('change', update);
    }
    update();
  }

  /* Table configuration: move columns up and down. */
  function initColumnOrder() {
    $$('[data-sortable]').forEach((list) => {
      list.addEventListener('click', (event) => {
        const button = event.target.closest('[data-move]');
        if (!button) {
          return;
        }
        const item = button.closest('li');
        if (button.dataset.move === 'up' && item.previousElementSibling) {
          list.insertBefore(item, item.previousElementSibling);
        } else if (button.dataset.move === 'down' && item.nextElementSibling) {
          list.insertBefore(item.nextElementSibling, item);
        }
        button.focus();
      });
    });
  }

  /* Type-ahead for related objects. */
  class Typeahead {
    constructor(select) {
      this.select = select;
      this.multiple = select.multiple;
      this.url = select.dataset.url;
      this.valueField = select.dataset.valueField || 'id';
      this.extra = {};
      try {
        this.extra = JSON.parse(select.dataset.query || '{}');
      } catch (error) {
        this.extra = {};
      }
      this.results = [];
      this.active = -1;
      this.sequence = 0;
      this.timer = null;
      this.build();
    }

    build() {
      const select = this.select;
      select.required = false;
      this.wrap = document.createElement('div');
      this.wrap.className = `ta ${this.multiple ? 'ta-multi' : 'ta-single'}`;
      select.parentNode.insertBefore(this.wrap, select);
      this.wrap.appendChild(select);
      this.control = document.createElement('div');
      this.control.className = 'ta-control';
      this.input = document.createElement('input');
      this.input.type = 'text';
      this.input.className = 'ta-input';
      this.input.autocomplete = 'off';
      this.input.setAttribute('role', 'combobox');
      this.input.setAttribute('aria-autocomplete', 'list');
      this.input.setAttribute('aria-expanded', 'false');
      if (select.id) {
        this.input.id = `${select.id}_search`;
        const label = document.querySelector(`label[for="${select.id}"]`);
        if (label) {
          label.setAttribute('for', this.input.id);
        }
      }
      this.menu = document.createElement('div');
      this.menu.className = 'ta-menu';
      this.menu.setAttribute('role', 'listbox');
      this.menu.hidden = true;
      this.control.appendChild(this.input);
      this.wrap.appendChild(this.control);
      this.wrap.appendChild(this.menu);
      this.renderChips();

      this.control.addEventListener('click', (event) => {
        if (!event.target.closest('.ta-chip button')) {
          this.input.focus();
        }
      });
      this.input.addEventListener('focus', () => this.search());
      this.input.addEventListener('input', () => {
        window.clearTimeout(this.timer);
        this.timer = window.setTimeout(() => this.search(), 200);
      });
      this.input.addEventListener('keydown', (event) => this.onKey(event));
      this.menu.addEventListener('mousedown', (event) => event.preventDefault());
      this.menu.addEventListener('click', (event) => {
        const item = event.target.closest('.ta-item');
        if (item) {
          this.choose(this.results[Number(item.dataset.index)]);
        }
      });
      document.addEventListener('click', (event) => {
        if (!this.wrap.contains(event.target)) {
          this.close();
        }
      });
    }

    selectedOptions() {
      return Array.from(this.select.options).filter((option) => option.selected && option.value !== '');
    }

    renderChips() {
      $$('.ta-chip', this.control).forEach((chip) => chip.remove());
      const selected = this.selectedOptions();
      selected.forEach((option) => {
        const chip = document.createElement('span');
        chip.className = 'ta-chip';
        chip.textContent = option.textContent;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.innerHTML = '&times;';
        remove.setAttribute('aria-label', `Remove ${option.textContent}`);
        remove.addEventListener('click', () => {
          option.selected = false;
          if (!this.multiple) {
            option.remove();
          }
          this.changed();
        });
        chip.appendChild(remove);
        this.control.insertBefore(chip, this.input);
      });
      const placeholder = this.multiple ? 'Type to search…' : 'Type to search…';
      this.input.placeholder = !this.multiple && selected.length ? '' : placeholder;
    }

    changed() {
      this.renderChips();
      this.select.dispatchEvent(new Event('change', { bubbles: true }));
    }

    params(query) {
      const params = new URLSearchParams({ brief: '1', limit: '25' });
      Object.entries(this.extra).forEach(([key, value]) => {
        // "$name": the current value(s) of another field of the form (a script's ObjectVar query_params).
        if (typeof value === 'string' && value.startsWith('$')) {
          const other = this.select.form && this.select.form.elements[value.slice(1)];
          const values = !other ? [] : other.multiple
            ? Array.from(other.selectedOptions).map((option) => option.value) : [other.value];
          values.filter((item) => item !== '').forEach((item) => params.append(key, item));
        } else {
          params.append(key, value);
        }
      });
      if (query) {
        params.set('q', query);
      }
      return params;
    }

    search() {
      const query = this.input.value.trim();
      const sequence = ++this.sequence;
      this.showMessage('Searching…');
      fetch(`${this.url}?${this.params(query)}`, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
      }).then((response) => {
        if (!response.ok) {
          throw new Error(`HTTP ${response.status}`);
        }
        return response.json();
      }).then((data) => {
        if (sequence !== this.sequence) {
          return;
        }
        this.results = Array.isArray(data) ? data : (data.results || []);
        this.active = this.results.length ? 0 : -1;
        this.renderMenu();
      }).catch(() => {
        if (sequence === this.sequence) {
          this.showMessage('Could not load results.');
        }
      });
    }

    showMessage(text) {
      this.menu.innerHTML = '';
      const message = document.createElement('div');
      message.className = 'ta-empty';
      message.textContent = text;
      this.menu.appendChild(message);
      this.open();
    }

    renderMenu() {
      if (!this.results.length) {
        this.showMessage('No results');
        return;
      }
      this.menu.innerHTML = '';
      const selected = new Set(this.selectedOptions().map((option) => option.value));
      this.results.forEach((result, index) => {
        const item = document.createElement('div');
        item.className = 'ta-item';
        item.dataset.index = String(index);
        item.setAttribute('role', 'option');
        const depth = Number(result._depth || 0);
        if (depth > 0) {
          const indent = document.createElement('span');
          indent.className = 'ta-depth';
          indent.textContent = `${'— '.repeat(depth)}`;
          item.appendChild(indent);
        }
        item.appendChild(document.createTextNode(this.label(result)));
        if (result.description) {
          const note = document.createElement('span');
          note.className = 'muted';
          note.textContent = result.description;
          item.appendChild(note);
        }
        if (selected.has(String(result[this.valueField]))) {
          item.classList.add('selected');
          item.setAttribute('aria-selected', 'true');
        }
        if (index === this.active) {
          item.classList.add('active');
        }
        this.menu.appendChild(item);
      });
      this.open();
    }

    label(result) {
      return String(result.display || result.name || result.slug || result[this.valueField]);
    }

    open() {
      this.menu.hidden = false;
      this.input.setAttribute('aria-expanded', 'true');
    }

    close() {
      this.menu.hidden = true;
      this.input.setAttribute('aria-expanded', 'false');
    }

    choose(result) {
      if (!result) {
        return;
      }
      const value = String(result[this.valueField]);
      let option = Array.from(this.select.options).find((item) => item.value === value);
      if (!this.multiple) {
        Array.from(this.select.options).forEach((item) => {
          if (item !== option && item.value !== '') {
            item.remove();
          }
        });
      }
      if (!option) {
        option = document.createElement('option');
        option.value = value;
        option.textContent = this.label(result);
        this.select.appendChild(option);
      }
      option.selected = true;
      this.input.value = '';
      this.changed();
      this.close();
    }

    onKey(event) {
      const count = this.results.length;
      if (event.key === 'ArrowDown' && count) {
        event.preventDefault();
        this.active = (this.active + 1) % count;
        this.renderMenu();
      } else if (event.key === 'ArrowUp' && count) {
        event.preventDefault();
        this.active = (this.active - 1 + count) % count;
        this.renderMenu();
      } else if (event.key === 'Enter') {
        if (!this.menu.hidden && this.active >= 0) {
          event.preventDefault();
          this.choose(this.results[this.active]);
        }
      } else if (event.key === 'Escape') {
        this.close();
      } else if (event.key === 'Backspace' && !this.input.value) {
        const selected = this.selectedOptions();
        if (selected.length) {
          const last = selected[selected.length - 1];
          last.selected = false;
          if (!this.multiple) {
            last.remove();
          }
          this.changed();
        }
      }
    }
  }

  function initTypeaheads(root) {
    $$('select[data-typeahead]', root).forEach((select) => {
      if (!select.dataset.typeaheadReady) {
        select.dataset.typeaheadReady = 'true';
        select.typeahead = new Typeahead(select);
      }
    });
  }

  // An element with data-poll="<url>" is replaced by the HTML fragment the URL serves, every few seconds, until the
  // fragment comes without data-poll (a job's status panel, until the job finishes).
  function poll(element) {
    window.setTimeout(async () => {
      let fresh = null;
      try {
        const response = await fetch(element.dataset.poll, {headers: {'X-Requested-With': 'XMLHttpRequest'}});
        if (response.ok) {
          const holder = document.createElement('div');
          holder.innerHTML = (await response.text()).trim();
          fresh = holder.firstElementChild;
        }
      } catch (error) {
        fresh = null;  // the server is away for a moment: try again
      }
      if (fresh) {
        element.replaceWith(fresh);
        if (fresh.dataset.poll) poll(fresh);
      } else {
        poll(element);
      }
    }, 2000);
  }

  function initPolling(root) {
    $$('[data-poll]', root).forEach(poll);
  }

  document.addEventListener('DOMContentLoaded', () => {
    initPolling(document);
    initNavigation();
    initDropdowns();
    initAlerts();
    initToggles();
    initCopyButtons();
    initSelection();
    initColumnOrder();
    initTypeaheads(document);
  });

  window.NetBox = { initTypeaheads };
}());

// Building the DOM without innerHTML.
//
// Everything the portal shows that comes from the server (names, addresses,
// messages) goes through text nodes, never through HTML parsing: a tenant's
// name cannot become markup.  The strict CSP (script-src 'self',
// style-src 'self') also forbids inline handlers and style attributes, so
// h() refuses "style" and "on..." attributes and takes listeners as
// functions instead.

/**
 * Creates an element.
 *
 *   h('a', { href: '#/accueil', class: 'lien' }, 'Accueil')
 *   h('button', { type: 'button', onclick: fn }, 'Fermer')
 *
 * Properties: `class` (string or array), `dataset` (object), `on<event>`
 * (function), `hidden`/`disabled`/`checked`... (booleans: present when
 * true), anything else as an attribute (null, undefined and false omit it).
 * Children: strings, numbers, nodes, arrays of them; null/false skipped.
 */
export function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
        for (const [cle, valeur] of Object.entries(props)) {
            if (valeur === null || valeur === undefined || valeur === false) {
                continue;
            }
            if (cle === 'style') {
                throw new Error('h(): style attributes are refused by the CSP; use a class');
            }
            if (cle.startsWith('on') && typeof valeur === 'function') {
                el.addEventListener(cle.slice(2), valeur);
            } else if (cle.startsWith('on')) {
                throw new Error('h(): inline handlers are refused by the CSP');
            } else if (cle === 'class') {
                el.className = Array.isArray(valeur) ? valeur.flat(Infinity).filter(Boolean).join(' ') : valeur;
            } else if (cle === 'dataset') {
                Object.assign(el.dataset, valeur);
            } else if (valeur === true) {
                el.setAttribute(cle, '');
            } else {
                el.setAttribute(cle, String(valeur));
            }
        }
    }
    ajouter(el, children);
    return el;
}

/** Appends children (same rules as h()) to a node. */
export function ajouter(parent, children) {
    for (const enfant of children.flat(Infinity)) {
        if (enfant === null || enfant === undefined || enfant === false) {
            continue;
        }
        parent.append(enfant instanceof Node ? enfant : document.createTextNode(String(enfant)));
    }
    return parent;
}

/** Replaces all children of a node. */
export function remplacer(parent, ...children) {
    parent.replaceChildren();
    return ajouter(parent, children);
}

// Ids must be unique in the document (labels, aria-describedby): pages
// built twice (back and forth) get the same ids only because the previous
// page is gone by then; components that may appear twice use this.
let compteur = 0;
export function idUnique(prefixe) {
    compteur += 1;
    return `${prefixe}-${compteur}`;
}

/**
 * Moves keyboard and screen-reader focus to an element that is not
 * focusable by itself (a heading, a message box), without making it a tab
 * stop, and without the browser scrolling it under a sticky header.
 */
export function focaliser(el) {
    if (!el) {
        return;
    }
    if (!el.hasAttribute('tabindex') && !estFocalisable(el)) {
        el.setAttribute('tabindex', '-1');
    }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: 'nearest' });
}

function estFocalisable(el) {
    return el.matches('a[href], button, input, select, textarea, summary, [tabindex]');
}

import type { ComponentChildren } from "preact";
import { href, onLinkClick } from "../router.ts";

/** An in-app link: a real <a href> (open in a new tab, copy the link) that navigates in place. */
export function Link(props: {
  to: string;
  children: ComponentChildren;
  class?: string;
  "aria-current"?: "page";
  "aria-label"?: string;
}) {
  const { to, children, ...rest } = props;
  return (
    <a href={href(to)} onClick={(e) => onLinkClick(e, to)} {...rest}>
      {children}
    </a>
  );
}

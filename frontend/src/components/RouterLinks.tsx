import { Anchor, type AnchorProps, Button, type ButtonProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';
import type { AnchorHTMLAttributes, Ref } from 'react';

type AnchorElementProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'color' | 'style'> & {
  ref?: Ref<HTMLAnchorElement>;
};

function AnchorElement(props: AnchorProps & AnchorElementProps) {
  return <Anchor component="a" {...props} />;
}

function ButtonElement(props: ButtonProps & AnchorElementProps) {
  return <Button component="a" {...props} />;
}

/** Mantine's Anchor and Button as router links, with typed `to`, `params` and `search`. */
export const AnchorLink = createLink(AnchorElement);
export const ButtonLink = createLink(ButtonElement);

import { Anchor, Code, Typography } from '@mantine/core';
import { memo, useDeferredValue } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { CodeBlock } from './CodeBlock';
import './chat.css';

interface TextTree {
  value?: unknown;
  children?: readonly TextTree[];
}

/** The text inside a parsed element (a code block's source). */
function textOf(node: TextTree | undefined): string {
  if (!node) return '';
  if (typeof node.value === 'string') return node.value;
  return (node.children ?? []).map(textOf).join('');
}

type ClassNamed = TextTree & { properties?: { className?: unknown } };

function languageOf(code: ClassNamed | undefined): string | null {
  const classes = code?.properties?.className;
  const names = Array.isArray(classes) ? classes.map(String) : [];
  const language = names.find((name) => name.startsWith('language-'));
  return language ? language.slice('language-'.length) : null;
}

function FencedCode({ node }: ExtraProps) {
  const code = node?.children.find((child) => child.type === 'element' && child.tagName === 'code');
  // The source without the newline the fence ends with.
  return <CodeBlock code={textOf(code ?? node).replace(/\n$/, '')} language={languageOf(code)} />;
}

/** Raw HTML in a reply is never rendered (react-markdown escapes it, with no rehype-raw), and its
 * URLs pass react-markdown's default filter (no javascript: links). Images are shown as links:
 * a model's output should not make the browser fetch whatever address it names. */
const COMPONENTS: Components = {
  pre: FencedCode,
  code: ({ children }) => <Code>{children}</Code>,
  a: ({ href, children }) => (
    <Anchor href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </Anchor>
  ),
  img: ({ src, alt }) => (
    <Anchor href={typeof src === 'string' ? src : undefined} target="_blank" rel="noopener noreferrer">
      Image: {alt || (typeof src === 'string' ? src : 'no address')}
    </Anchor>
  ),
};

const REMARK_PLUGINS = [remarkGfm];

/** A reply rendered as GitHub-flavoured markdown. While a reply streams in, React may skip
 * renders of intermediate text (a deferred value), so fast tokens never queue up parses. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const shown = useDeferredValue(text);
  return (
    <Typography className="chat-markdown">
      <ReactMarkdown remarkPlugins={REMARK_PLUGINS} components={COMPONENTS}>
        {shown}
      </ReactMarkdown>
    </Typography>
  );
});

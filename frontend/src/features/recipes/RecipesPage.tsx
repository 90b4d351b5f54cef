import { ActionIcon, Badge, Button, Card, Group, Menu, SimpleGrid, Stack, Table, Text, Title, Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconChevronDown, IconPlus, IconTemplate, IconTopologyStar3, IconTrash, IconUpload } from '@tabler/icons-react';
import { useNavigate } from '@tanstack/react-router';
import { memo } from 'react';
import type { RecipeOut, RecipeTemplate } from '../../api/types.gen';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { LoadingState } from '../../components/LoadingState';
import { PageHeader } from '../../components/PageHeader';
import { AnchorLink, ButtonLink } from '../../components/RouterLinks';
import { formatDateTime, formatRelativeTime } from '../../components/format';
import { errorMessage } from '../../lib/apiError';
import { useDeleteRecipe, useRecipeList, useTemplates } from './queries';
import { useRecipeFileImport } from './useRecipeFileImport';

function TemplateMenu() {
  const templates = useTemplates();
  const navigate = useNavigate();
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={380}>
      <Menu.Target>
        <Button
          variant="default"
          leftSection={<IconTemplate size={16} aria-hidden />}
          rightSection={<IconChevronDown size={14} aria-hidden />}
          loading={templates.isPending}
        >
          From template
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>Start from a template</Menu.Label>
        {templates.isError ? (
          <Menu.Item disabled>Could not load templates: {errorMessage(templates.error)}</Menu.Item>
        ) : null}
        {(templates.data ?? []).map((template) => (
          <Menu.Item
            key={template.key}
            onClick={() => void navigate({ to: '/recipes/new', search: { template: template.key } })}
          >
            <Text size="sm" fw={600}>
              {template.name}
            </Text>
            <Text size="xs" c="dimmed" lineClamp={2}>
              {template.description}
            </Text>
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function TemplateCard({ template }: { template: RecipeTemplate }) {
  const navigate = useNavigate();
  return (
    <UnstyledButton
      className="recipe-template-card"
      onClick={() => void navigate({ to: '/recipes/new', search: { template: template.key } })}
      aria-label={`Start from the template ${template.name}`}
    >
      <Stack gap={4}>
        <Group gap={6} wrap="nowrap">
          <IconTemplate size={16} aria-hidden />
          <Text size="sm" fw={600}>
            {template.name}
          </Text>
          <Badge size="xs" variant="light" color="gray">
            {template.graph.nodes.length} nodes
          </Badge>
        </Group>
        <Text size="xs" c="dimmed" lineClamp={3}>
          {template.description}
        </Text>
      </Stack>
    </UnstyledButton>
  );
}

function TemplateCards() {
  const templates = useTemplates();
  if (!templates.data?.length) return null;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm" w="100%" ta="left">
      {templates.data.map((template) => (
        <TemplateCard key={template.key} template={template} />
      ))}
    </SimpleGrid>
  );
}

const RecipeRow = memo(function RecipeRow({ recipe, onDelete }: { recipe: RecipeOut; onDelete: (recipe: RecipeOut) => void }) {
  const navigate = useNavigate();
  return (
    <Table.Tr
      className="clickable-row"
      onClick={() => void navigate({ to: '/recipes/$recipeId', params: { recipeId: recipe.id } })}
      data-testid={`recipe-row-${recipe.name}`}
    >
      <Table.Td>
        <AnchorLink
          to="/recipes/$recipeId"
          params={{ recipeId: recipe.id }}
          fz="sm"
          fw={600}
          onClick={(event) => event.stopPropagation()}
          aria-label={`Open recipe ${recipe.name}`}
        >
          {recipe.name}
        </AnchorLink>
        {recipe.description ? (
          <Text size="xs" c="dimmed" lineClamp={1} maw={480}>
            {recipe.description}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td ta="right">v{recipe.latest_version}</Table.Td>
      <Table.Td ta="right">{recipe.node_count}</Table.Td>
      <Table.Td title={formatDateTime(recipe.updated_at)}>{formatRelativeTime(recipe.updated_at)}</Table.Td>
      <Table.Td ta="right">
        <Tooltip label="Delete recipe">
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Delete recipe ${recipe.name}`}
            onClick={(event) => {
              event.stopPropagation();
              onDelete(recipe);
            }}
          >
            <IconTrash size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Table.Td>
    </Table.Tr>
  );
});

function useConfirmDelete() {
  const { mutate } = useDeleteRecipe();
  return (recipe: RecipeOut) =>
    modals.openConfirmModal({
      title: `Delete ${recipe.name}?`,
      children: (
        <Text size="sm">
          Its {recipe.latest_version === 1 ? 'version' : `${recipe.latest_version} versions`} will be deleted. The datasets
          it wrote stay.
        </Text>
      ),
      labels: { confirm: 'Delete recipe', cancel: 'Keep it' },
      confirmProps: { color: 'red' },
      onConfirm: () =>
        mutate(recipe.id, {
          onError: (error) =>
            notifications.show({ color: 'red', title: `Could not delete ${recipe.name}`, message: errorMessage(error) }),
        }),
    });
}

function RecipeList() {
  const recipes = useRecipeList();
  const confirmDelete = useConfirmDelete();
  if (recipes.isPending) return <LoadingState label="Loading recipes…" />;
  if (recipes.isError) {
    return <ErrorAlert title="Could not load recipes" error={recipes.error} onRetry={() => void recipes.refetch()} />;
  }
  if (recipes.data.length === 0) {
    return (
      <EmptyState icon={<IconTopologyStar3 size={26} />} title="No recipes yet" action={<TemplateCards />}>
        A recipe turns datasets into a training dataset: sources, transforms and outputs wired on a canvas. Start from an
        empty canvas with New recipe, import a recipe YAML file, or pick one of these templates.
      </EmptyState>
    );
  }
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={640}>
        <Table highlightOnHover verticalSpacing="xs" fz="sm" aria-label="Recipes">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col" ta="right">
                Version
              </Table.Th>
              <Table.Th scope="col" ta="right">
                Nodes
              </Table.Th>
              <Table.Th scope="col">Updated</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {recipes.data.map((recipe) => (
              <RecipeRow key={recipe.id} recipe={recipe} onDelete={confirmDelete} />
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {recipes.hasNextPage ? (
        <Group justify="center">
          <Button variant="default" onClick={() => void recipes.fetchNextPage()} loading={recipes.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

export function RecipesPage() {
  const importer = useRecipeFileImport();
  return (
    <Stack gap="lg">
      {importer.input}
      <PageHeader
        title="Recipes"
        description="Dataset pipelines built on a canvas: validated and previewed as you edit, run as jobs that write new dataset versions."
        actions={
          <>
            <Button variant="default" leftSection={<IconUpload size={16} aria-hidden />} onClick={importer.open} loading={importer.isPending}>
              Import YAML
            </Button>
            <TemplateMenu />
            <ButtonLink to="/recipes/new" search={{ template: undefined }} leftSection={<IconPlus size={16} aria-hidden />}>
              New recipe
            </ButtonLink>
          </>
        }
      />
      <Card withBorder radius="md" padding="md" component="section" aria-labelledby="recipes-title">
        <Stack gap="md">
          <Title order={2} size="h4" id="recipes-title">
            Your recipes
          </Title>
          <RecipeList />
        </Stack>
      </Card>
    </Stack>
  );
}

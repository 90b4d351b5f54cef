import { notifications } from '@mantine/notifications';
import { useNavigate } from '@tanstack/react-router';
import { type ChangeEvent, useCallback, useRef } from 'react';
import { errorMessage } from '../../lib/apiError';
import { nameFromFile, yamlHasName } from './names';
import { useImportRecipe } from './queries';

/** Import of a recipe YAML file: `open()` shows the file chooser; the chosen file is read and
 * POSTed to /api/recipes/import, and the new recipe opens. Render `input` somewhere. */
export function useRecipeFileImport() {
  const inputRef = useRef<HTMLInputElement>(null);
  const mutation = useImportRecipe();
  const navigate = useNavigate();

  const onChange = useCallback(
    async (event: ChangeEvent<HTMLInputElement>) => {
      const file = event.currentTarget.files?.[0];
      event.currentTarget.value = '';
      if (!file) return;
      const yaml = await file.text();
      mutation.mutate(
        { yaml, name: yamlHasName(yaml) ? null : nameFromFile(file.name) },
        {
          onSuccess: (detail) => {
            notifications.show({ color: 'teal', title: 'Recipe imported', message: `${detail.name} (${detail.node_count} nodes)` });
            void navigate({ to: '/recipes/$recipeId', params: { recipeId: detail.id } });
          },
          onError: (error) =>
            notifications.show({
              color: 'red',
              title: `Could not import ${file.name}`,
              message: errorMessage(error),
              autoClose: false,
            }),
        },
      );
    },
    [mutation, navigate],
  );

  const input = (
    <input
      ref={inputRef}
      type="file"
      accept=".yaml,.yml,application/yaml,text/yaml,text/plain"
      hidden
      data-testid="recipe-import-input"
      aria-label="Recipe YAML file"
      onChange={(event) => void onChange(event)}
    />
  );
  return { open: () => inputRef.current?.click(), input, isPending: mutation.isPending };
}

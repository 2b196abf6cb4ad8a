"""The small 3-D renderer of the synthetic ShapeNet views: projection, occlusion, shading, textures."""
import numpy as np
import pytest

from data.synthetic.render3d import Camera, Mesh, Part, Texture, box, render

RED, BLUE, WHITE = (220.0, 0.0, 0.0), (0.0, 0.0, 220.0), (255.0, 255.0, 255.0)


def two_cubes():
    """A red cube on the +x side and a blue one on the -x side, symmetric about the origin."""
    return Mesh([box((0.4, 1.0), (-0.3, 0.3), (-0.3, 0.3), Texture(RED)),
                 box((-1.0, -0.4), (-0.3, 0.3), (-0.3, 0.3), Texture(BLUE))])


def colour_at(image, row, col):
    red, _, blue = image[row, col].astype(int)
    return "red" if red > blue + 50 else "blue" if blue > red + 50 else "other"


@pytest.mark.parametrize("azimuth, left, centre, right", [
    (0, "blue", "other", "red"),     # camera on +z: x to the right
    (180, "red", "other", "blue"),   # from behind: mirrored
    (90, "other", "red", "other"),   # camera on +x: the red cube hides the blue one
    (270, "other", "blue", "other"),
])
def test_projection_and_occlusion(azimuth, left, centre, right):
    image = render(two_cubes(), azimuth, 0, size=48, supersample=1)
    assert image.dtype == np.uint8 and image.shape == (48, 48, 3)
    assert [colour_at(image, 24, col) for col in (8, 24, 40)] == [left, centre, right]
    assert (image[0] == 255).all() and (image[:, 0] == 255).all()  # background around the object


def test_faces_of_different_orientation_get_different_shades():
    cube = Mesh([box((-1, 1), (-1, 1), (-1, 1), Texture(WHITE))])
    image = render(cube, 30, 20, size=64, supersample=1)
    shades = {tuple(pixel) for pixel in image.reshape(-1, 3).tolist()} - {(255, 255, 255)}
    assert len(shades) == 3  # top, front and side faces, each flat
    top, front = image[14, 32], image[40, 26]
    assert top[0] > front[0]  # the light comes from above


def test_texture_sticks_to_the_surface():
    """A stripe boundary at x = 0 on a cube projects to the image centre column at azimuth 0, whatever the elevation."""
    cube = Mesh([box((-1, 1), (-1, 1), (-1, 1), Texture(RED, BLUE, "stripes", axis=0, size=1.0))])
    for elevation in (0, 10, 20):
        image = render(cube, 0, elevation, size=64, supersample=1)
        assert colour_at(image, 36, 30) == "blue" and colour_at(image, 36, 33) == "red"  # x < 0: second colour


def test_patterns():
    local = np.array([[0.1, 0.0, 0.0], [0.6, 0.0, 0.0], [0.1, 0.6, 0.0], [0.0, 0.0, 0.9]])
    as_second = lambda texture: (texture.colours(local) == 0).all(axis=1).tolist()  # noqa: E731
    assert as_second(Texture(WHITE, (0, 0, 0), "stripes", axis=0, size=0.5)) == [False, True, False, False]
    assert as_second(Texture(WHITE, (0, 0, 0), "checks", size=0.5)) == [False, True, True, True]
    assert as_second(Texture(WHITE, (0, 0, 0), "band", axis=1, size=0.3, offset=0.5)) == [False, False, True, False]
    assert as_second(Texture(WHITE, (0, 0, 0), "disc", axis=2, size=0.5)) == [True, False, False, True]
    with pytest.raises(ValueError, match="Texture.pattern: expected one of plain, stripes, checks, band, disc"):
        Texture(WHITE, pattern="zigzag")


def test_mesh_fits_the_unit_sphere_and_faces_point_outwards():
    mesh = Mesh([Part(np.array([[0, 0], [4, 0], [3, 1], [1, 1]]), (2.0, 3.0), Texture(WHITE))])
    corners = mesh.triangles.reshape(-1, 3)
    assert np.linalg.norm(corners, axis=1).max() == pytest.approx(1.0)
    assert (np.einsum("tk,tk->t", mesh.normals, mesh.triangles.mean(axis=1)) > 0).all()
    assert len(mesh.triangles) == 2 * 2 + 4 * 2  # two quad caps and four quad sides, two triangles each


def test_camera_too_close_is_refused():
    with pytest.raises(ValueError, match="camera at distance 0.2 is too close, part of the object is behind it"):
        render(two_cubes(), 0, 0, size=8, camera=Camera(distance=0.2))
